using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>The experiments the repository ships: all valid, and the quick ones run end to end and reproduce the
/// lecture's numbers.</summary>
[Collection(TorchCollection.Name)]
public sealed class ShippedExperimentsTests : IDisposable
{
    private readonly TempDir _results = new();

    public void Dispose() => _results.Dispose();

    public static TheoryData<string> ExperimentFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Repository.Experiments, "*.yaml", SearchOption.AllDirectories)
                     .Where(f => !Path.GetFileName(f).StartsWith('_')).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repository.Experiments, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExperimentFiles))]
    public void Load_EveryShippedExperiment_IsValid(string relativePath)
    {
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), []);
        Assert.False(string.IsNullOrWhiteSpace(loaded.Config.Name));
    }

    [Fact]
    public void Preguica_ReproducesTheLecturesNumbers()
    {
        var (exit, runDir) = Run("01-tokenization/preguica.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, TokenizeExperiment.ResultsFile)));
        var checks = results.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(4, checks.Count);
        Assert.All(checks, c => Assert.Equal(c.GetProperty("expected").GetInt32(), c.GetProperty("computed").GetInt32()));
        Assert.Equal(68, results.RootElement.GetProperty("characters").GetInt32());

        string html = File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "index.html"));
        Assert.Contains("✓ reproduced", html);
        Assert.DoesNotContain("✗ not reproduced", html);
        Assert.Contains("has no id for &#39;.&#39;", html);
        Assert.Contains("class=\"tokens\"", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void Tokenize_WhenAnExpectationFails_MarksTheRunFailedAndStillWritesTheReport()
    {
        var (exit, runDir) = Run("01-tokenization/preguica.yaml", "model.expect.tokens.word=12");
        Assert.Equal(ExitCodes.Failed, exit);
        var info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Contains("word tokens expected 12, computed 11", info.Error);
        Assert.Contains("✗ not reproduced", File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "index.html")));
    }

    [Fact]
    public void ImagePatches_CountsTokensPerPatchSize()
    {
        var (exit, runDir) = Run("01-tokenization/image-patches.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, ImagePatchesExperiment.ResultsFile)));
        var tokens = results.RootElement.GetProperty("patches").EnumerateArray()
            .Select(p => (p.GetProperty("patch_size").GetInt32(), p.GetProperty("tokens").GetInt32())).ToList();
        Assert.Equal([(4, 256), (8, 64), (16, 16), (32, 4)], tokens);
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "patches_8.png")));
    }

    [Fact]
    public void ImagePatches_WhenPatchDoesNotDivideTheImage_IsBadInputNamingTheKey()
    {
        var session = TinyExperiment.NewSession();
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "01-tokenization/image-patches.yaml"), ["model.patch_sizes=[5]"]);
        int exit = session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = _results.Root }, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, exit);
    }

    [Fact]
    public void BpeSweep_FewerTokensPerCharacterAsTheVocabularyGrows()
    {
        var (exit, runDir) = Run("01-tokenization/bpe-vocab-sweep.yaml", "model.vocab_sizes=[260, 400, 800]");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, BpeSweepExperiment.ResultsFile)));
        var ratios = results.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("tokens_per_character").GetDouble()).ToList();
        Assert.Equal(3, ratios.Count);
        Assert.True(ratios[0] > ratios[1] && ratios[1] > ratios[2], string.Join(", ", ratios));
        Assert.Equal(2, results.RootElement.GetProperty("references").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "bpe_sweep.png")));
    }

    private (int Exit, string RunDir) Run(string relativePath, params string[] overrides)
    {
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), overrides);
        return TinyExperiment.Run(loaded, _results.Root);
    }
}
