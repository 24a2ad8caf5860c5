using GenLab.Models.Mlp;
using GenLab.Runner.Config;

namespace GenLab.Runner.Tests.Config;

/// <summary><c>extends</c>, <c>--set</c> and the resolved YAML.</summary>
public sealed class ExperimentLoaderComposeTests : IDisposable
{
    private const string ValidYaml = ValidExperiment.Yaml;

    private readonly TempDir _dir = new();

    public ExperimentLoaderComposeTests() => _dir.Write("words.txt", ValidExperiment.Words);

    public void Dispose() => _dir.Dispose();

    private static ConfigError SingleError(string path, params string[] overrides)
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, overrides));
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void Load_WhenFileExtendsABase_DeepMergesWithTheChildWinning()
    {
        var basePath = _dir.Write("base/base.yaml", """
            name: base
            kind: mlp_char
            data:
              path: ../words.txt
              val_fraction: 0.2
            model:
              context_length: 3
              hidden_size: 50
            training:
              steps: 100
              lr: 0.01
              batch_size: 8
            """);
        var childPath = _dir.Write("child.yaml", """
            extends: base/base.yaml
            name: child
            model:
              hidden_size: 64
            training:
              lr: 0.05
            """);

        var loaded = ExperimentLoader.Load(childPath, []);

        var config = loaded.Config;
        Assert.Equal("child", config.Name);
        Assert.Equal(new MlpCharConfig { ContextLength = 3, HiddenSize = 64 }, config.Model);
        Assert.Equal(new TrainingConfig { Steps = 100, Lr = 0.05, BatchSize = 8 }, config.Training);
        // The base's relative data path resolves against the base file's folder.
        Assert.Equal(new CharCorpusConfig { Path = Path.Combine(_dir.Root, "words.txt"), ValFraction = 0.2 }, config.Data);
        Assert.Equal([childPath, basePath], loaded.SourceFiles);
        Assert.DoesNotContain("extends", loaded.ResolvedYaml);
    }

    [Fact]
    public void Load_WhenExtendsIsAList_AppliesThemInOrder()
    {
        _dir.Write("a.yaml", ValidYaml);
        _dir.Write("b.yaml", "training:\n  lr: 0.02\n  steps: 20\n");
        var path = _dir.Write("c.yaml", "extends: [a.yaml, b.yaml]\ntraining:\n  steps: 30\n");

        var loaded = ExperimentLoader.Load(path, []);

        Assert.Equal(new TrainingConfig { Steps = 30, Lr = 0.02 }, loaded.Config.Training);
        Assert.Equal(3, loaded.SourceFiles.Count);
    }

    [Fact]
    public void Load_WhenBaseHasAnError_ReportsTheBaseFileAndLine()
    {
        var basePath = _dir.Write("base.yaml", ValidYaml.Replace("steps: 10", "steps: ten"));
        var path = _dir.Write("child.yaml", "extends: base.yaml\nname: child\n");

        var error = SingleError(path);

        Assert.Equal((basePath, 8, 10, "training.steps"), (error.File, error.Line, error.Column, error.KeyPath));
    }

    [Fact]
    public void Load_WhenExtendsFormsACycle_ReportsTheChain()
    {
        var a = _dir.Write("a.yaml", "extends: b.yaml\nname: a\n");
        var b = _dir.Write("b.yaml", "extends: a.yaml\nname: b\n");

        var error = SingleError(a);

        Assert.Equal(new ConfigError(b, 1, 10, "extends", $"extends cycle: {a} -> {b} -> {a}"), error);
    }

    [Fact]
    public void Load_WhenExtendedFileIsMissing_ReportsAtTheExtendsKey()
    {
        var path = _dir.Write("child.yaml", "name: x\nextends: nope.yaml\n");

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 2, 10, "extends", $"file not found: {Path.Combine(_dir.Root, "nope.yaml")}"), error);
    }

    [Fact]
    public void Load_WithSetOverrides_AppliesTypedValues()
    {
        var path = _dir.Write("exp.yaml", ValidYaml);
        var other = _dir.Write("other.txt", "x\n");

        var config = ExperimentLoader.Load(path,
            ["training.lr=3e-4", "model.hidden_size=64", $"data.path={other}", "report={samples: 2}", "seed=7"]).Config;

        Assert.Equal(3e-4, config.Training.Lr);
        Assert.Equal(10, config.Training.Steps);
        Assert.Equal(64, config.ModelAs<MlpCharConfig>().HiddenSize);
        Assert.Equal(3, config.ModelAs<MlpCharConfig>().ContextLength);
        Assert.Equal(other, config.DataAs<CharCorpusConfig>().Path);
        Assert.Equal(new ReportConfig { Samples = 2 }, config.Report);
        Assert.Equal(7, config.Seed);
    }

    [Fact]
    public void Load_WithSetForAnAbsentSection_CreatesIt()
    {
        var path = _dir.Write("exp.yaml", ValidYaml.Replace("training:\n  steps: 10\n  lr: 0.01", ""));

        var config = ExperimentLoader.Load(path, ["training.warmup_steps=5"]).Config;

        Assert.Equal(new TrainingConfig { WarmupSteps = 5 }, config.Training);
    }

    [Theory]
    [InlineData("training.lrr=1", "training.lrr", "unknown key (did you mean `lr`?)")]
    [InlineData("training.steps=abc", "training.steps", "expected an integer, got 'abc'")]
    [InlineData("training.steps=[1,2]", "training.steps", "expected an integer, got a list")]
    [InlineData("training.lr", "training.lr", "expected key=value, got 'training.lr'")]
    [InlineData("=3", "", "expected a dotted key such as training.lr before '=', got '=3'")]
    [InlineData("training..lr=3", "training..lr", "expected a dotted key such as training.lr before '=', got 'training..lr=3'")]
    [InlineData("training.optimizer=adam", "training.optimizer", "unknown value 'adam' (did you mean `adamw`?); valid values: adamw, sgd")]
    public void Load_WithBadSet_CitesSetAndItsIndex(string set, string keyPath, string message)
    {
        var path = _dir.Write("exp.yaml", ValidYaml);

        var error = SingleError(path, "seed=1", set);

        Assert.Equal(new ConfigError("--set", 2, 0, keyPath, message), error);
    }

    [Fact]
    public void ConfigError_ForSet_FormatsWithoutColumn()
    {
        var path = _dir.Write("exp.yaml", ValidYaml);

        var error = SingleError(path, "training.lrr=1");

        Assert.Equal("--set:1: training.lrr: unknown key (did you mean `lr`?)", error.ToString());
    }

    [Fact]
    public void Load_ResolvedYaml_RoundTripsToTheSameConfigAndHash()
    {
        var path = _dir.Write("exp.yaml", ValidYaml + "\ndescription: \"true\"\n");
        var first = ExperimentLoader.Load(path, ["training.lr=3e-4", "training.optimizer=sgd", "report.smoothing=0"]);

        var resolvedPath = _dir.Write("resolved/config.yaml", first.ResolvedYaml);
        var second = ExperimentLoader.Load(resolvedPath, []);

        Assert.Equal(first.Config, second.Config);
        Assert.Equal(first.ResolvedYaml, second.ResolvedYaml);
        Assert.Equal(first.ConfigHash, second.ConfigHash);
        Assert.Contains("optimizer: sgd", first.ResolvedYaml);
        Assert.Contains("lr_schedule: cosine", first.ResolvedYaml);
        Assert.Contains("kind: mlp_char", first.ResolvedYaml);
        Assert.Contains($"path: {Path.Combine(_dir.Root, "words.txt")}", first.ResolvedYaml);
    }

    [Fact]
    public void Load_ConfigHash_IsTheFirst8HexOfSha256OfResolvedYaml()
    {
        var loaded = ExperimentLoader.Load(_dir.Write("exp.yaml", ValidYaml), []);

        var expected = Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(loaded.ResolvedYaml)))[..8];
        Assert.Equal(expected, loaded.ConfigHash);
        Assert.NotEqual(loaded.ConfigHash, ExperimentLoader.Load(_dir.Write("exp.yaml", ValidYaml), ["seed=2"]).ConfigHash);
    }
}
