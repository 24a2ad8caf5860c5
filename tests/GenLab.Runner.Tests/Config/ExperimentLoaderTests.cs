using GenLab.Models.Mlp;
using GenLab.Runner.Config;

namespace GenLab.Runner.Tests.Config;

public sealed class ExperimentLoaderTests : IDisposable
{
    private const string ValidYaml = ValidExperiment.Yaml;

    private readonly TempDir _dir = new();

    public ExperimentLoaderTests() => _dir.Write("words.txt", ValidExperiment.Words);

    public void Dispose() => _dir.Dispose();

    private string WriteExperiment(string yaml, string name = "exp.yaml") => _dir.Write(name, yaml);

    private static ConfigError SingleError(string path, params string[] overrides)
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, overrides));
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void Load_WhenYamlIsValid_BindsEverySection()
    {
        var path = WriteExperiment(ValidYaml);

        var loaded = ExperimentLoader.Load(path, []);

        var config = loaded.Config;
        Assert.Equal("tiny", config.Name);
        Assert.Equal(ExperimentKind.MlpChar, config.Kind);
        Assert.Equal(Path.Combine(_dir.Root, "words.txt"), config.DataAs<CharCorpusConfig>().Path);
        Assert.Equal(3, config.ModelAs<MlpCharConfig>().ContextLength);
        Assert.Equal(10, config.Training.Steps);
        Assert.Equal(0.01, config.Training.Lr);
        Assert.Equal([path], loaded.SourceFiles);
        Assert.Matches("^[0-9a-f]{8}$", loaded.ConfigHash);
    }

    [Fact]
    public void Load_WhenKeysAreOmitted_FillsRecordDefaults()
    {
        var config = ExperimentLoader.Load(WriteExperiment(ValidYaml), []).Config;

        Assert.Equal(1337, config.Seed);
        Assert.Equal(DeviceChoice.Auto, config.Device);
        Assert.Equal("", config.Description);
        Assert.Equal(new ReportConfig(), config.Report);
        Assert.Equal(new TrainingConfig { Steps = 10, Lr = 0.01 }, config.Training);
        Assert.Equal(200, config.ModelAs<MlpCharConfig>().HiddenSize);
        Assert.Equal(0.1, config.DataAs<CharCorpusConfig>().ValFraction);
    }

    [Fact]
    public void Load_WhenEnumsUseOtherSpellings_MatchesIgnoringCaseAndSeparators()
    {
        var path = WriteExperiment(ValidYaml.Replace("kind: mlp_char", "kind: MLP-Char")
                                   + "\n  optimizer: AdamW\n  lr_schedule: LINEAR\ndevice: cuda\n");

        var config = ExperimentLoader.Load(path, []).Config;

        Assert.Equal(ExperimentKind.MlpChar, config.Kind);
        Assert.Equal(OptimizerKind.AdamW, config.Training.Optimizer);
        Assert.Equal(LrSchedule.Linear, config.Training.LrSchedule);
        Assert.Equal(DeviceChoice.Cuda, config.Device);
    }

    [Fact]
    public void Load_WhenYamlHasUnknownKey_ReportsLineAndSuggestion()
    {
        var path = WriteExperiment(ValidYaml.Replace("  lr: 0.01", "  lrr: 0.01"));

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 9, 3, "training.lrr", "unknown key (did you mean `lr`?)"), error);
        Assert.Equal($"{path}:9:3: training.lrr: unknown key (did you mean `lr`?)", error.ToString());
    }

    [Fact]
    public void Load_WhenUnknownKeyIsFarFromAnyValidKey_ListsValidKeys()
    {
        var error = SingleError(WriteExperiment(ValidYaml + "\nlearning_rate_of_doom: 1\n"));

        Assert.Equal("learning_rate_of_doom", error.KeyPath);
        Assert.StartsWith("unknown key (valid keys: name, kind, description, seed", error.Message);
    }

    [Theory]
    [InlineData("steps", "abc", 8, "expected an integer, got 'abc'")]
    [InlineData("steps", "1.5", 8, "expected an integer, got '1.5'")]
    [InlineData("steps", "99999999999", 8, "integer 99999999999 is out of range (-2147483648 to 2147483647)")]
    [InlineData("steps", "\"10\"", 8, "expected an integer, got the quoted string \"10\"")]
    [InlineData("steps", "~", 8, "expected an integer, got null")]
    [InlineData("steps", "{a: 1}", 8, "expected an integer, got a mapping")]
    [InlineData("lr", "fast", 9, "expected a number, got 'fast'")]
    [InlineData("lr", "[1, 2]", 9, "expected a number, got a list")]
    public void Load_WhenValueHasWrongType_ReportsExpectedType(string key, string value, int line, string message)
    {
        var lines = ValidYaml.Split('\n');
        lines[line - 1] = $"  {key}: {value}";
        var path = WriteExperiment(string.Join('\n', lines));

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, line, key.Length + 5, $"training.{key}", message), error);
    }

    [Fact]
    public void Load_WhenBoolIsNotTrueOrFalse_ReportsWrongType()
    {
        var error = SingleError(WriteExperiment(ValidYaml.Replace("  path: words.txt", "  path: words.txt\n  lowercase: yes")));

        Assert.Equal(("data.lowercase", "expected true or false, got 'yes'"), (error.KeyPath, error.Message));
    }

    [Fact]
    public void Load_WhenRequiredKeyIsMissing_ReportsItAtTheParentMapping()
    {
        var path = WriteExperiment(ValidYaml.Replace("  path: words.txt", "  val_fraction: 0.2"));

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 4, 3, "data.path", "missing required key"), error);
    }

    [Fact]
    public void Load_WhenTopLevelKeysAreMissing_ReportsEachAtTheRoot()
    {
        var path = WriteExperiment("description: nothing else\n");

        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, []));

        // Without a kind, whether data and model are needed is unknown: the kind error says what to fix first.
        Assert.Equal(["name", "kind"], ex.Errors.Select(e => e.KeyPath));
        Assert.All(ex.Errors, e => Assert.Equal((1, 1, "missing required key"), (e.Line, e.Column, e.Message)));
        Assert.Equal(2, ex.Message.Split(Environment.NewLine).Length);
    }

    [Fact]
    public void Load_WhenASectionWithRequiredKeysIsMissing_NamesItsRequiredKeys()
    {
        var path = WriteExperiment("name: x\nkind: mlp_char\nmodel: {}\n");

        var error = SingleError(path);

        Assert.Equal(("data", "missing required key (its path must be given)"), (error.KeyPath, error.Message));
    }

    [Fact]
    public void Load_WhenExperimentFileIsMissing_ReportsThePath()
    {
        var path = Path.Combine(_dir.Root, "nope.yaml");

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 0, 0, "", "file not found"), error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("- a list\n- at the top\n")]
    public void Load_WhenFileIsEmptyOrNotAMapping_Reports(string yaml)
    {
        var error = SingleError(WriteExperiment(yaml));

        Assert.Contains(error.Message, new[] { "file is empty", "the top level of an experiment file must be a mapping of keys" });
    }

    [Fact]
    public void Load_WhenDataFileIsMissing_ReportsAtThePathKey()
    {
        var path = WriteExperiment(ValidYaml.Replace("words.txt", "missing.txt"));

        var error = SingleError(path);

        Assert.Equal((path, 4, 9, "data.path"), (error.File, error.Line, error.Column, error.KeyPath));
        Assert.Equal($"file not found: {Path.Combine(_dir.Root, "missing.txt")}", error.Message);
    }

    [Fact]
    public void Load_WhenYamlIsMalformed_ReportsParserLine()
    {
        var path = WriteExperiment("name: tiny\nkind: mlp_char\ndata:\n  path: [words.txt\nmodel: {}\n");

        var error = SingleError(path);

        Assert.Equal(path, error.File);
        Assert.InRange(error.Line, 4, 6);
        Assert.StartsWith("invalid YAML: ", error.Message);
    }

    [Fact]
    public void Load_WhenIndentationIsBroken_ReportsParserPosition()
    {
        var path = WriteExperiment("name: tiny\nkind: mlp_char\n  data: x\n");

        var error = SingleError(path);

        Assert.Equal((path, 3, 7), (error.File, error.Line, error.Column));
        Assert.DoesNotContain("Line:", error.Message);
    }

    [Fact]
    public void Load_WhenKeyIsDuplicated_ReportsMalformedYaml()
    {
        var error = SingleError(WriteExperiment(ValidYaml + "\nname: again\n"));

        Assert.StartsWith("invalid YAML", error.Message);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Load_WhenEnumValueIsUnknown_SuggestsClosestAndListsValid()
    {
        var path = WriteExperiment(ValidYaml + "\n  optimizer: adamm\n");

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 10, 14, "training.optimizer",
            "unknown value 'adamm' (did you mean `adamw`?); valid values: adamw, sgd"), error);
    }

    [Fact]
    public void Load_WhenKindIsUnknown_ReportsOnlyTheKind()
    {
        var error = SingleError(WriteExperiment(ValidYaml.Replace("mlp_char", "mlp_chr")));

        Assert.Equal(("kind", 2, "unknown value 'mlp_chr' (did you mean `mlp_char`?); valid values: mlp_char, tokenize, bpe_sweep, image_patches, drawer_encodings, word2vec, autoencoder, vae, gpt, gpt_finetune, diffusion, sdedit, inpainting, super_resolution"),
            (error.KeyPath, error.Line, error.Message));
    }

    [Fact]
    public void Load_WhenRecordValidationFails_ReportsIssueAtItsKey()
    {
        var path = WriteExperiment(ValidYaml.Replace("context_length: 3", "context_length: 0"));

        var error = SingleError(path);

        Assert.Equal(new ConfigError(path, 6, 3, "model.context_length", "must be >= 1"), error);
    }

    [Fact]
    public void Load_WhenValidationIssueKeyIsNotInTheFile_ReportsAtTheSection()
    {
        // min_lr keeps its default 1e-4, now above lr; the training mapping starts at its first key.
        var path = WriteExperiment(ValidYaml.Replace("lr: 0.01", "lr: 0.00001"));

        var error = SingleError(path);

        Assert.Equal((8, 3, "training.min_lr"), (error.Line, error.Column, error.KeyPath));
    }

    [Fact]
    public void Load_WhenSeveralThingsAreWrong_ReportsThemAll()
    {
        var path = WriteExperiment(ValidYaml.Replace("steps: 10", "steps: x").Replace("lr: 0.01", "lrr: 1")
                                   + "\nseed: -1\ndevice: tpu\n");

        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, []));

        Assert.Equal(["training.steps", "training.lrr", "device"], ex.Errors.Select(e => e.KeyPath));
    }

    [Fact]
    public void Load_WhenManyErrors_CapsTheMessage()
    {
        var yaml = ValidYaml + "\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"bogus{i}: 1\n"));

        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(WriteExperiment(yaml), []));

        Assert.Equal(30, ex.Errors.Count);
        var lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal(21, lines.Length);
        Assert.Equal("... and 10 more", lines[^1]);
    }
}
