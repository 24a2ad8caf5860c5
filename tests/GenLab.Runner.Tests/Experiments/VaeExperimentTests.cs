using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary><c>kind: vae</c> end to end on tiny versions of the shipped experiments, and the inputs it refuses.</summary>
[Collection(TorchCollection.Name)]
public sealed class VaeExperimentTests : IDisposable
{
    private const string Digits = "04-vae/vae-digits.yaml";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>16×16 images, 4 per class, a 2-layer network, 10 steps: a couple of seconds.</summary>
    private static readonly string[] Tiny =
    [
        "data.size=16", "data.count_per_item=4", "model.network.channels=[4, 8]", "expect=null",
        "training.steps=10", "training.batch_size=8", "training.eval_every=5", "training.eval_batches=1",
        "training.log_every=5", "training.checkpoint_every=5", "training.warmup_steps=0",
    ];

    private (int Exit, string RunDir) Run(string relativePath, string results, params string[] overrides)
    {
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), [.. Tiny, .. overrides]);
        return TinyExperiment.Run(loaded, Path.Combine(_dir.Root, results));
    }

    [Fact]
    public void Digits_TinyRun_WritesEveryFigureAndTheLossParts()
    {
        var (exit, runDir) = Run(Digits, "a");
        Assert.Equal(ExitCodes.Ok, exit);
        foreach (string png in new[] { "latent_label.png", "latent_grid.png", "reconstructions.png", "prior_samples.png", "interpolation.png" })
            Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, png)), png);
        string html = File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "index.html"));
        Assert.Contains("VAE latent space (step 10)", html);

        // loss = reconstruction + β·KL (β = 1): means over the same batches of per-batch sums, so it adds up.
        var val = MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics)).Where(r => r is { Split: "val", Step: 10 })
            .ToDictionary(r => r.Metric, r => r.Value);
        Assert.Equal(val["reconstruction_loss"] + val["kl_loss"], val["loss"], 2);
        Assert.True(val["kl_loss"] >= 0);

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, VaeExperiment.ResultsFile)));
        Assert.InRange(results.RootElement.GetProperty("label_knn_accuracy").GetDouble(), 0, 1);
        Assert.Equal(2, results.RootElement.GetProperty("kl_per_dimension").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, results.RootElement.GetProperty("color_knn_accuracy").ValueKind);
        Assert.Contains("DejaVu Sans", results.RootElement.GetProperty("digit_faces").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void Drawer_TinyRun_ColoursTheLatentSpaceByColourToo()
    {
        var (exit, runDir) = Run("04-vae/vae-drawer.yaml", "a");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "latent_color.png")));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, VaeExperiment.ResultsFile)));
        Assert.InRange(results.RootElement.GetProperty("color_knn_accuracy").GetDouble(), 0, 1);
    }

    [Fact]
    public void Mse_LatentDim3_Runs_WithTheGridAsASliceThroughZ1Z2()
    {
        var (exit, runDir) = Run(Digits, "a", "model.network.reconstruction=mse", "model.network.latent_dim=3");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "latent_grid.png")));
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "latent_label.png")));
        Assert.Contains("z₃ onwards at 0", File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "README.md")));
    }

    [Fact]
    public void LatentDim1_Runs_WithoutThePlaneFigures()
    {
        var (exit, runDir) = Run(Digits, "a", "model.network.latent_dim=1");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.False(File.Exists(Path.Combine(runDir, RunFiles.Report, "latent_grid.png")));
        Assert.False(File.Exists(Path.Combine(runDir, RunFiles.Report, "latent_label.png")));
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "prior_samples.png")));
    }

    [Fact]
    public void WhenTheKnnExpectationIsMissed_TheRunFailsAndSaysWhy()
    {
        var (exit, runDir) = Run(Digits, "a", "expect={label_knn_accuracy: {min: 1.0}}");
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("label_knn_accuracy = ", RunInfo.Read(runDir).Error);
        Assert.Contains("expected ≥ 1", RunInfo.Read(runDir).Error);
        var results = RunResults.Read(runDir)!;
        Assert.False(results.Passed);
        Assert.InRange(results.Values["label_knn_accuracy"], 0, 0.999);
    }

    [Fact]
    public void Resume_AfterAnInterrupt_MatchesTheUninterruptedRunBitForBit()
    {
        // ε is drawn from torch's global generator during training: the checkpoint's RNG state must carry it.
        var (exit, uninterrupted) = Run(Digits, "a");
        Assert.Equal(ExitCodes.Ok, exit);

        using var stop = new CancellationTokenSource();
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, Digits), Tiny);
        var (stopped, parted) = TinyExperiment.Run(loaded, Path.Combine(_dir.Root, "b"), stop.Token, HookLogger.CancelAfterEvaluation(5, stop));
        Assert.Equal(ExitCodes.Interrupted, stopped);
        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(parted));

        Assert.Equal(TinyExperiment.DeterministicRows(uninterrupted), TinyExperiment.DeterministicRows(parted));
    }

    [Fact]
    public void Run_KeepsLiveTensorCountFlat_AcrossEvaluationsAndReportFigures()
    {
        // Checkpoints every 10 steps: each writes the figures (encodings, grids, interpolations) between evaluations.
        var live = new Dictionary<long, long>();
        var logger = new HookLogger { OnEvaluated = step => live[step] = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount };
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, Digits),
            [.. Tiny, "training.steps=40", "training.eval_every=10", "training.checkpoint_every=10"]);
        var (exit, _) = TinyExperiment.Run(loaded, Path.Combine(_dir.Root, "a"), logger: logger);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.True(live[40] <= live[10], $"live tensors grew from {live[10]} at step 10 to {live[40]} at step 40");
    }

    [Fact]
    public void ImageSizeNotDivisible_IsAnErrorAtDataSize_NamingTheChannels()
    {
        string path = _dir.Write("vae.yaml", """
            name: v
            kind: vae
            data:
              source: digits
              size: 20
            model:
              network:
                channels: [8, 16, 32]
            """);
        var error = Assert.Single(Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, [])).Errors);
        Assert.Equal((path, 5, 3, "data.size"), (error.File, error.Line, error.Column, error.KeyPath));
        Assert.Contains("image size 20 must be a multiple of 2^3 = 8", error.Message);
        Assert.Contains("model.network.channels", error.Message);

        var fromSet = Assert.Single(Assert.Throws<ConfigException>(
            () => ExperimentLoader.Load(Path.Combine(Repository.Experiments, Digits), ["data.size=36"])).Errors);
        Assert.Equal((ExperimentLoader.SetSource, "data.size"), (fromSet.File, fromSet.KeyPath));
    }

    [Fact]
    public void UnknownReconstruction_IsAnErrorAtItsKey_ListingTheChoices()
    {
        string path = _dir.Write("vae.yaml", """
            name: v
            kind: vae
            model:
              network:
                reconstruction: l1
            """);
        var error = Assert.Single(Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, [])).Errors);
        Assert.Equal((path, 5, 21, "model.network.reconstruction"), (error.File, error.Line, error.Column, error.KeyPath));
        Assert.Contains("bce, mse", error.Message);
    }

    [Fact]
    public void DigitsKey_WithAnotherSource_IsAnError()
    {
        var error = Assert.Single(Assert.Throws<ConfigException>(
            () => ExperimentLoader.Load(Path.Combine(Repository.Experiments, Digits), ["data.source=drawer"])).Errors);
        Assert.Equal("data.digits", error.KeyPath);
        Assert.Contains("applies to source digits only", error.Message);
    }
}
