using GenLab.Models.Configuration;

namespace GenLab.Models.Diffusion;

/// <summary><c>kind: sdedit</c> and <c>kind: inpainting</c> — data section: which images to edit. They are the
/// validation images of the <c>init_from</c> run, in its split order: images neither its U-Net nor its quality judge
/// trained on.</summary>
public sealed record HeldOutImagesConfig : IValidatable
{
    /// <summary>How many of the run's validation images to edit (the first ones of its split).</summary>
    [Max(100_000)]
    public int Images { get; init; } = 64;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Images < 2) yield return new("images", "must be >= 2 (the judge's measures compare sets of images)");
    }
}

/// <summary>What SDEdit starts from besides the real images.</summary>
public enum SdeditInput
{
    /// <summary>"Sketch to item": each image reduced to a flat blob of its foreground colour
    /// (<see cref="Images.Sketches.ColourBlobs"/>).</summary>
    Sketch,
    /// <summary>Denoising: each image with Gaussian pixel noise of <c>noise_level</c>.</summary>
    Noisy,
}

/// <summary><c>kind: sdedit</c> — model section: image-to-image with a trained unconditional diffusion model (SDEdit,
/// Meng et al. 2022; diffusers' img2img). Each input is noised to a strength's timestep and denoised back by the
/// <c>init_from</c> run's EMA U-Net with its own noise schedule; nothing is trained.</summary>
public sealed record SdeditConfig : IValidatable, IStartsFromRun
{
    /// <summary>The diffusion run to edit with: a run folder (its newest checkpoint), a checkpoint folder or
    /// <c>latest:&lt;name&gt;</c>. Its data (the held-out images), noise schedule and quality judge come with it.</summary>
    public required string? InitFrom { get; init; }
    /// <summary>Strengths t₀ ∈ (0, 1], ascending: the share of a whole DDIM run that is re-run on the noised input.</summary>
    public IReadOnlyList<double> Strengths { get; init; } = [0.3, 0.5, 0.7, 0.9];
    /// <summary>The inputs, each edited at every strength with its own grid and curves. Expectations read the first.</summary>
    public IReadOnlyList<SdeditInput> Inputs { get; init; } = [SdeditInput.Sketch, SdeditInput.Noisy];
    /// <summary>DDIM steps of a whole run (strength 1); null: the diffusion run's <c>sample_steps</c>.</summary>
    [Max(100_000)]
    public int? Steps { get; init; }
    /// <summary>DDIM's η; null: the diffusion run's <c>eta</c>.</summary>
    public double? Eta { get; init; }
    /// <summary>noisy: standard deviation of the Gaussian noise added to pixels in [0, 1] (then clamped).</summary>
    public double NoiseLevel { get; init; } = 0.3;
    /// <summary>Images (columns) in each grid.</summary>
    [Max(32)]
    public int GridImages { get; init; } = 8;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (string.IsNullOrWhiteSpace(InitFrom)) yield return new("init_from", "must name a diffusion run (e.g. latest:ddpm-drawer)");
        if (Strengths.Count < 2 || Strengths.Any(s => s is not (> 0 and <= 1)))
            yield return new("strengths", "must list at least two strengths in (0, 1]");
        else if (Strengths.Zip(Strengths.Skip(1)).Any(p => p.Second <= p.First))
            yield return new("strengths", "must be ascending, each once");
        if (Inputs.Count == 0 || Inputs.Distinct().Count() != Inputs.Count) yield return new("inputs", "must list sketch and/or noisy, each once");
        if (Steps < 1) yield return new("steps", "must be >= 1");
        if (Eta is < 0 or > 1) yield return new("eta", "must be in [0, 1]");
        if (NoiseLevel is not (> 0 and <= 1)) yield return new("noise_level", "must be in (0, 1]");
        if (GridImages is < 1 or > 32) yield return new("grid_images", "must be between 1 and 32");
    }
}

/// <summary><c>kind: inpainting</c> — model section: filling a masked part of held-out images with the
/// <c>init_from</c> run's unconditional EMA U-Net, RePaint (Lugmayr et al. 2022) against pasting the known region
/// at every step; nothing is trained.</summary>
public sealed record InpaintingConfig : IValidatable, IStartsFromRun
{
    /// <summary>The diffusion run to inpaint with (see <see cref="SdeditConfig.InitFrom"/>).</summary>
    public required string? InitFrom { get; init; }
    public MaskShape Mask { get; init; } = MaskShape.Box;
    /// <summary>The hidden part's extent as a share of the side: a box's side, or the rows (bottom) / columns (right) hidden.</summary>
    public double MaskSize { get; init; } = 0.5;
    /// <summary>S: the levels each method walks down (DDIM's sub-sequence of the training timesteps, η = 1).</summary>
    [Max(100_000)]
    public int Steps { get; init; } = 50;
    /// <summary>RePaint's j: levels climbed back up per resampling.</summary>
    [Max(100_000)]
    public int JumpLength { get; init; } = 5;
    /// <summary>RePaint's r: passes over each stretch of jump_length levels (1 would be pasting alone).</summary>
    [Max(100)]
    public int Resamples { get; init; } = 5;
    /// <summary>Images (columns) in the grid.</summary>
    [Max(32)]
    public int GridImages { get; init; } = 8;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (string.IsNullOrWhiteSpace(InitFrom)) yield return new("init_from", "must name a diffusion run (e.g. latest:ddpm-drawer)");
        if (!Enum.IsDefined(Mask)) yield return new("mask", "use box, bottom or right");
        if (MaskSize is not (> 0 and < 1)) yield return new("mask_size", "must be in (0, 1)");
        if (Steps < 1) yield return new("steps", "must be >= 1");
        if (JumpLength < 1 || JumpLength >= Math.Max(Steps, 2)) yield return new("jump_length", $"must be between 1 and steps - 1 ({Steps - 1})");
        if (Resamples < 2) yield return new("resamples", "must be >= 2 (1 is the naive paste it is compared with)");
        if (GridImages is < 1 or > 32) yield return new("grid_images", "must be between 1 and 32");
    }
}
