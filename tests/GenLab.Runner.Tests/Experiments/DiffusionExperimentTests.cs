using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using static TorchSharp.torch;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>A tiny diffusion model (text-to-image on 16 px drawer items) end to end through the runner.</summary>
[Collection(TorchCollection.Name)]
public sealed class DiffusionExperimentTests : IDisposable
{
    private const string Yaml = """
        name: tiny-diffusion
        kind: diffusion
        seed: 3
        device: cpu
        data:
          source: drawer
          size: 16
          count_per_item: 6
          max_rotation: 10
          val_fraction: 0.1
        model:
          unet: { base_channels: 8, channel_mults: [1, 2], attention_levels: [1], heads: 2, groups: 4, time_embedding_dim: 16, cond_dim: 8 }
          scheduler: { train_timesteps: 40 }
          ema: { decay: 0.9 }
          condition: caption
          prompts: [lápis azul, régua vermelha]
          guidance_scales: [1, 2]
          sample_steps: 4
          compare_steps: [2, 4]
          trajectory_frames: 3
          seeds_per_prompt: 2
          quality_samples: 6
          classifier: { channels: [8, 16], feature_dim: 8, epochs: 1, batch_size: 16 }
        training:
          steps: 6
          batch_size: 4
          lr: 0.002
          warmup_steps: 1
          eval_every: 3
          eval_batches: 1
          log_every: 3
          checkpoint_every: 3
        report:
          samples: 0
        """;

    private readonly TempDir _dir = new();
    private readonly string _results;

    public DiffusionExperimentTests() => _results = Path.Combine(_dir.Root, "results");

    public void Dispose() => _dir.Dispose();

    private LoadedExperiment Load(params string[] overrides) => ExperimentLoader.Load(_dir.Write("experiment.yaml", Yaml), overrides);

    [Fact]
    public void Caption_Run_WritesSamplesPerCheckpointTrajectoryGuidanceGridsAndQuality()
    {
        var (exit, run) = TinyExperiment.Run(Load(), _results);

        Assert.Equal(ExitCodes.Ok, exit);
        string sections = Path.Combine(run, RunFiles.Sections);
        foreach (string png in new[] { "samples-000003.png", "samples-000006.png", "noise-schedule.png", "trajectory.png",
                     "ddim-steps.png", "prompts-guidance-1.png", "prompts-guidance-2.png", "quality-histogram.png" })
            Assert.True(File.Exists(Path.Combine(sections, png)), $"{png} missing");
        string html = File.ReadAllText(Path.Combine(sections, "10-diffusion.html"));
        Assert.Contains("FID-lite", html);
        Assert.Contains("step 3", html);                       // the earlier checkpoint's grid stays in the report

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, DiffusionExperiment.ResultsFile)));
        var quality = results.RootElement.GetProperty("quality");
        Assert.Equal(6, quality.GetProperty("samples").GetInt32());
        Assert.Equal(16, quality.GetProperty("classes").GetArrayLength());
        Assert.InRange(quality.GetProperty("match_share").GetDouble(), 0, 1);
        Assert.Equal(6, results.RootElement.GetProperty("ema_updates").GetInt64());

        string checkpoint = Path.Combine(run, RunFiles.Checkpoints, "step-000006");
        Assert.True(File.Exists(Path.Combine(checkpoint, "ema.bin")));
        Assert.True(File.Exists(Path.Combine(checkpoint, "captions.tokenizer")));
    }

    [Fact]
    public void InterruptedAndResumed_EndsWithTheSameCurveAndTheSameEmaSamples()
    {
        string[] fast = ["model.quality_samples=0", "training.steps=8", "training.checkpoint_every=2", "training.eval_every=2"];
        var (_, whole) = TinyExperiment.Run(Load(fast), _results);
        using var stop = new CancellationTokenSource();
        var (exit, parted) = TinyExperiment.Run(Load(fast), _results, stop.Token, HookLogger.CancelAfterEvaluation(4, stop));
        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(parted));

        Assert.Equal(TinyExperiment.DeterministicRows(whole), TinyExperiment.DeterministicRows(parted));
        // The grids are drawn with the EMA weights: equal bytes mean the EMA was saved and restored exactly.
        static byte[] Final(string run) => File.ReadAllBytes(Path.Combine(run, RunFiles.Sections, "samples-000008.png"));
        Assert.Equal(Final(whole), Final(parted));
    }

    [Fact]
    public void UnknownPromptWord_IsAnErrorListingItAndTheKnownWords()
    {
        var loaded = Load("model.prompts=[lápis roxo]");
        var error = Assert.Throws<ArgumentException>(() =>
            new DiffusionExperiment(loaded.Config, CPU, new ExperimentContext(_results, _dir.Root)));
        Assert.Contains("'roxo'", error.Message);
        Assert.Contains("azul", error.Message);
        Assert.Contains("régua", error.Message);

        Assert.Equal(ExitCodes.BadInput, TinyExperiment.Run(loaded, _results).ExitCode);
    }

    [Fact]
    public void ImageSizeTheUNetCannotHalve_AndConditionWithoutCaptionWidth_AreConfigErrorsNamingTheKeys()
    {
        var size = Assert.Throws<ConfigException>(() => Load("data.size=18", "model.unet.channel_mults=[1, 2, 2]"));
        Assert.Contains(size.Errors, e => e.KeyPath == "data.size" && e.Message.Contains("not divisible", StringComparison.Ordinal));

        var width = Assert.Throws<ConfigException>(() => Load("model.unet.cond_dim=0"));
        Assert.Contains(width.Errors, e => e.KeyPath == "model.unet.cond_dim");
    }
}
