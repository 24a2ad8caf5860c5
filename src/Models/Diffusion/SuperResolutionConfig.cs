using GenLab.Models.Configuration;
using GenLab.Models.Images;

namespace GenLab.Models.Diffusion;

/// <summary><c>kind: super_resolution</c> — model section: a diffusion U-Net conditioned on a low-resolution copy of
/// the image (SR3, Saharia et al. 2021): the copy, upsampled back to full size, is concatenated to x_t, so the network
/// learns p(high resolution | low resolution). Trained like <c>kind: diffusion</c> (ε-MSE, EMA of the weights) and
/// compared with bicubic upscaling by PSNR and SSIM on the validation images.</summary>
public sealed record SuperResolutionConfig : IValidatable, IValidatableWithData
{
    /// <summary>The U-Net; its <c>concat_channels</c> is the image's channel count, set by the experiment.</summary>
    public UNetConfig Unet { get; init; } = new();
    public NoiseSchedulerConfig Scheduler { get; init; } = new();
    public EmaConfig Ema { get; init; } = new();
    /// <summary>Side of the low-resolution input (the area average of the image's pixels), e.g. 8 for 32 → 4× upscaling.</summary>
    [Max(256)]
    public int LowResSize { get; init; } = 8;
    /// <summary>DDIM steps when super-resolving for the report.</summary>
    [Max(100_000)]
    public int SampleSteps { get; init; } = 50;
    /// <summary>DDIM's η (0: deterministic given the starting noise).</summary>
    public double Eta { get; init; }
    /// <summary>Where sampling starts: 1 is SR3's pure noise; below 1 the bicubic upscaling noised to that share of
    /// the DDIM run (SDEdit's strength), so the low frequencies — the item's and the background's colours — come from
    /// the input and the model draws the detail. The report scores both.</summary>
    public double StartStrength { get; init; } = 1;
    /// <summary>Validation images super-resolved and scored (0 = all).</summary>
    [Max(100_000)]
    public int EvalImages { get; init; } = 128;
    /// <summary>Images (columns) in the grid.</summary>
    [Max(32)]
    public int GridImages { get; init; } = 8;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Unet.ConcatChannels != 0)
            yield return new("unet.concat_channels", "is set by the experiment (the image's channel count); leave it out");
        if (Unet.CondDim != 0) yield return new("unet.cond_dim", "must be 0: the condition is the low-resolution image");
        if (LowResSize < 2) yield return new("low_res_size", "must be >= 2");
        if (SampleSteps < 1 || SampleSteps > Scheduler.TrainTimesteps)
            yield return new("sample_steps", $"must be between 1 and scheduler.train_timesteps ({Scheduler.TrainTimesteps})");
        if (Eta is < 0 or > 1) yield return new("eta", "must be in [0, 1]");
        if (StartStrength is not (> 0 and <= 1)) yield return new("start_strength", "must be in (0, 1] (1: from pure noise)");
        else if (Math.Floor(SampleSteps * StartStrength + 1e-9) < 1)
            yield return new("start_strength", $"{StartStrength} of {SampleSteps} sample_steps leaves no step to run");
        if (EvalImages < 0) yield return new("eval_images", "must be >= 0 (0 = all validation images)");
        if (GridImages is < 1 or > 32) yield return new("grid_images", "must be between 1 and 32");
    }

    public IEnumerable<ConfigIssue> ValidateWithData(object data)
    {
        if (data is not ImageDatasetConfig images) yield break;
        foreach (var issue in Unet.ValidateImageSize(images.Size))
            yield return new("data.size", $"{issue.Message} (model.unet.{issue.Key})");
        if (images.Size < 11)
            yield return new("data.size", "must be >= 11: SSIM's window is 11×11");
        if (LowResSize >= images.Size || images.Size % LowResSize != 0)
            yield return new("model.low_res_size", $"{LowResSize} must be smaller than data.size ({images.Size}) and divide it");
    }
}
