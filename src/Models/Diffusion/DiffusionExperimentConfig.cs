using GenLab.Models.Configuration;
using GenLab.Models.Images;
using GenLab.Models.Quality;

namespace GenLab.Models.Diffusion;

public enum DiffusionCondition
{
    /// <summary>Unconditional: the model learns the whole image distribution.</summary>
    None,
    /// <summary>Text-to-image in miniature: each image's caption ("lápis azul", "dígito 7") conditions the U-Net.</summary>
    Caption,
}

/// <summary><c>kind: diffusion</c> — model section: the U-Net, the noise process, the EMA of the weights, the
/// condition, and how samples are drawn and judged for the report.</summary>
public sealed record DiffusionExperimentConfig : IValidatable, IValidatableWithData
{
    public UNetConfig Unet { get; init; } = new();
    public NoiseSchedulerConfig Scheduler { get; init; } = new();
    public EmaConfig Ema { get; init; } = new();

    public DiffusionCondition Condition { get; init; } = DiffusionCondition.None;
    /// <summary>caption: share of training images whose caption is replaced by the learned null condition, so one
    /// network learns both ε(x, t, c) and ε(x, t) for classifier-free guidance (Ho &amp; Salimans 2022 use 0.1–0.2).</summary>
    public double CondDropout { get; init; } = 0.15;
    /// <summary>caption: guidance scale s of ε = ε_∅ + s·(ε_c − ε_∅) for the report's samples (1 = plain conditional).</summary>
    public double GuidanceScale { get; init; } = 3;
    /// <summary>caption: the scales compared side by side in the report.</summary>
    public IReadOnlyList<double> GuidanceScales { get; init; } = [1, 3, 6];
    /// <summary>caption: the prompts of the report's grids (one row each); empty = every caption of the data.</summary>
    public IReadOnlyList<string> Prompts { get; init; } = [];

    /// <summary>DDIM steps for the report's sample grids and the quality measure.</summary>
    [Max(100_000)]
    public int SampleSteps { get; init; } = 50;
    /// <summary>DDIM's η: 0 = deterministic, 1 = as stochastic as DDPM.</summary>
    public double Eta { get; init; }
    /// <summary>Images in the sample grid drawn at every checkpoint (same seeded noise each time).</summary>
    [Max(256)]
    public int GridSamples { get; init; } = 32;
    /// <summary>caption: seeds (columns) per prompt in the prompt grids.</summary>
    [Max(16)]
    public int SeedsPerPrompt { get; init; } = 6;
    /// <summary>DDIM step counts compared side by side at the end of training.</summary>
    [Max(100_000)]
    public IReadOnlyList<int> CompareSteps { get; init; } = [10, 20, 50];
    /// <summary>Frames of the x_T … x_0 trajectory strip (DDPM with every training step).</summary>
    [Max(50)]
    public int TrajectoryFrames { get; init; } = 10;

    /// <summary>Samples judged by the classifier at the end of training (0 = no quality measure).</summary>
    [Max(100_000)]
    public int QualitySamples { get; init; } = 256;
    public double ConfidenceThreshold { get; init; } = 0.9;
    public ImageClassifierConfig Classifier { get; init; } = new();

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Condition == DiffusionCondition.Caption && Unet.CondDim < 1)
            yield return new("unet.cond_dim", "condition: caption needs the width of the caption embedding (e.g. 64)");
        if (Condition == DiffusionCondition.None && Unet.CondDim > 0)
            yield return new("unet.cond_dim", "must be 0 for an unconditional model (condition: none)");
        if (CondDropout is < 0 or >= 1) yield return new("cond_dropout", "must be in [0, 1)");
        if (Condition == DiffusionCondition.Caption && CondDropout == 0 && (GuidanceScale != 1 || GuidanceScales.Any(s => s != 1)))
            yield return new("cond_dropout", "guidance needs the unconditional branch: set cond_dropout > 0 (0.1–0.2)");
        if (!(GuidanceScale >= 0)) yield return new("guidance_scale", "must be >= 0");
        if (GuidanceScales.Count == 0 || GuidanceScales.Any(s => !(s >= 0))) yield return new("guidance_scales", "must list scales >= 0");
        if (Prompts.Any(string.IsNullOrWhiteSpace)) yield return new("prompts", "must not contain empty prompts");
        if (Prompts.Count > 0 && Condition == DiffusionCondition.None) yield return new("prompts", "apply to condition: caption only");
        if (SampleSteps < 1 || SampleSteps > Scheduler.TrainTimesteps)
            yield return new("sample_steps", $"must be between 1 and scheduler.train_timesteps ({Scheduler.TrainTimesteps})");
        if (Eta is < 0 or > 1) yield return new("eta", "must be in [0, 1]");
        if (GridSamples is < 1 or > 256) yield return new("grid_samples", "must be between 1 and 256");
        if (SeedsPerPrompt is < 1 or > 16) yield return new("seeds_per_prompt", "must be between 1 and 16");
        if (CompareSteps.Count == 0 || CompareSteps.Any(s => s < 1 || s > Scheduler.TrainTimesteps))
            yield return new("compare_steps", $"must list step counts between 1 and {Scheduler.TrainTimesteps}");
        if (TrajectoryFrames is < 2 or > 50) yield return new("trajectory_frames", "must be between 2 and 50");
        if (QualitySamples < 0) yield return new("quality_samples", "must be >= 0 (0 = no quality measure)");
        if (ConfidenceThreshold is <= 0 or >= 1) yield return new("confidence_threshold", "must be in (0, 1)");
    }

    public IEnumerable<ConfigIssue> ValidateWithData(object data)
    {
        if (data is not ImageDatasetConfig images) yield break;
        foreach (var issue in Unet.ValidateImageSize(images.Size))
            yield return new("data.size", $"{issue.Message} (model.unet.{issue.Key})");
    }
}
