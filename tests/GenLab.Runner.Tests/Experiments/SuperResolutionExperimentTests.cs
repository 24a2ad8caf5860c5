using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>A tiny super-resolution diffusion model (4 → 16 px drawer items) end to end through the runner.</summary>
[Collection(TorchCollection.Name)]
public sealed class SuperResolutionExperimentTests : IDisposable
{
    private const string Yaml = """
        name: tiny-superres
        kind: super_resolution
        seed: 4
        device: cpu
        data: { source: drawer, size: 16, count_per_item: 6, max_rotation: 10, val_fraction: 0.1 }
        model:
          low_res_size: 4
          unet: { base_channels: 8, channel_mults: [1, 2], attention_levels: [], heads: 2, groups: 4, time_embedding_dim: 16 }
          scheduler: { train_timesteps: 40 }
          ema: { decay: 0.9 }
          sample_steps: 4
          eval_images: 6
          grid_images: 3
        training: { steps: 6, batch_size: 4, lr: 0.002, warmup_steps: 1, eval_every: 2, eval_batches: 1, log_every: 2, checkpoint_every: 2 }
        report: { samples: 0 }
        """;

    private readonly TempDir _dir = new();
    private readonly string _results;

    public SuperResolutionExperimentTests() => _results = Path.Combine(_dir.Root, "results");

    public void Dispose() => _dir.Dispose();

    private LoadedExperiment Load(params string[] overrides) => ExperimentLoader.Load(_dir.Write("experiment.yaml", Yaml), overrides);

    [Fact]
    public void Run_TrainsAConditionedUNet_AndScoresItAgainstBicubic()
    {
        var (exit, run) = TinyExperiment.Run(Load(), _results);

        Assert.Equal(ExitCodes.Ok, exit);
        foreach (string png in new[] { "superres-000002.png", "superres-000006.png" })
            Assert.True(File.Exists(Path.Combine(run, RunFiles.Sections, png)), $"{png} missing");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, SuperResolutionExperiment.ResultsFile)));
        var scores = json.RootElement.GetProperty("scores");
        Assert.Equal(6, scores.GetProperty("images").GetInt32());
        double bicubic = scores.GetProperty("bicubic_psnr").GetDouble(), model = scores.GetProperty("sr_psnr").GetDouble();
        Assert.InRange(bicubic, 5, 60);                        // drawer items on white: bicubic is close but not exact
        Assert.True(double.IsFinite(model));
        Assert.Equal(model - bicubic, scores.GetProperty("psnr_gain").GetDouble(), 9);
        string html = File.ReadAllText(Path.Combine(run, RunFiles.Sections, "10-super-resolution.html"));
        Assert.Contains("bicubic", html);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json")));
        Assert.Contains("\"psnr_gain\"", results.RootElement.ToString());
    }

    [Fact]
    public void InterruptedAndResumed_EndsWithTheSameCurveAndTheSameEmaGrid()
    {
        string[] longer = ["training.steps=8"];
        var (_, whole) = TinyExperiment.Run(Load(longer), _results);
        using var stop = new CancellationTokenSource();
        var (exit, parted) = TinyExperiment.Run(Load(longer), _results, stop.Token, HookLogger.CancelAfterEvaluation(4, stop));
        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(parted));

        Assert.Equal(TinyExperiment.DeterministicRows(whole), TinyExperiment.DeterministicRows(parted));
        static byte[] Final(string run) => File.ReadAllBytes(Path.Combine(run, RunFiles.Sections, "superres-000008.png"));
        Assert.Equal(Final(whole), Final(parted));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, SuperResolutionExperiment.ResultsFile)),
            File.ReadAllText(Path.Combine(parted, SuperResolutionExperiment.ResultsFile)));
    }

    [Theory]
    [InlineData("model.low_res_size=5", "model.low_res_size")]
    [InlineData("model.low_res_size=16", "model.low_res_size")]
    [InlineData("model.unet.concat_channels=3", "model.unet.concat_channels")]
    [InlineData("data.size=8", "data.size")]
    public void ImpossibleSettings_AreConfigErrorsNamingTheKey(string set, string key)
    {
        var error = Assert.Throws<ConfigException>(() => Load(set));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task SampleImage_UpscalesAUsersPng_ToTheModelsSide()
    {
        var (exit, run) = TinyExperiment.Run(Load(), _results);
        Assert.Equal(ExitCodes.Ok, exit);
        var pixels = new float[3 * 5 * 7];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = i % 5 / 4f;
        string picture = Path.Combine(_dir.Root, "small.png");
        new GenLab.Models.Images.ImageData(5, 7, 3, pixels).SavePng(picture);
        string output = Path.Combine(_dir.Root, "big.png");

        var (sampled, text) = await GenlabProcess.RunAsync(["sample", run, "--image", picture, "--out", output]);

        Assert.True(sampled == ExitCodes.Ok, text);
        Assert.Contains("from 4×4 to 16×16", text);
        var big = GenLab.Models.Images.ImageData.FromPng(output);
        Assert.Equal((16, 16, 3), (big.Width, big.Height, big.Channels));
        var (refused, message) = await GenlabProcess.RunAsync(["sample", run, "--image", picture, "--out", output, "--inpaint", "box"]);
        Assert.Equal(ExitCodes.BadInput, refused);
        Assert.Contains("super-resolution model", message);
    }
}
