using GenLab.Models.Configuration;

namespace GenLab.Models.Quality;

/// <summary>The judge of generated images: a small CNN trained on the real images of a procedural dataset, whose
/// penultimate layer is the feature space of FID-lite. The defaults reach ≈ 99 % validation accuracy on the 16 drawer
/// items at 32×32 RGB (150 per item, free poses) in under a minute on a busy two-core CPU.</summary>
public sealed record ImageClassifierConfig : IValidatable
{
    /// <summary>Output channels of each stage (3×3 conv, BatchNorm, ReLU, 2×2 max-pool); each stage halves the
    /// side, so images need a side of at least 2^(number of stages).</summary>
    [Max(1024)]
    public IReadOnlyList<int> Channels { get; init; } = [32, 64, 128];
    /// <summary>Width of the penultimate layer: the features FID-lite compares.</summary>
    [Max(4096)]
    public int FeatureDim { get; init; } = 128;
    [Max(1000)]
    public int Epochs { get; init; } = 10;
    [Max(4096)]
    public int BatchSize { get; init; } = 64;
    /// <summary>Peak learning rate; it decays to 0 along a cosine over all steps.</summary>
    public double Lr { get; init; } = 3e-3;
    /// <summary>AdamW's decoupled weight decay (Loshchilov &amp; Hutter 2019); 0.01 is PyTorch's default.</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Share of each class held out to measure accuracy; never trained on.</summary>
    public double ValFraction { get; init; } = 0.15;
    /// <summary>Augmentation: each training image is shifted by up to this many pixels in x and y (0 = none).
    /// Shifts keep the label of every procedural dataset here; flips would not (a mirrored 2 is no digit).</summary>
    public double MaxShift { get; init; } = 1;

    /// <summary>λ of Outlier Exposure (Hendrycks et al. 2019; 0.5 is theirs): how strongly noise-like images are
    /// trained towards a uniform prediction, which keeps the confident share of junk near 0 (0 = off).</summary>
    public double OutlierWeight { get; init; } = 0.5;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Channels.Count == 0) yield return new("channels", "list at least one channel count");
        foreach (int c in Channels.Where(c => c < 1)) yield return new("channels", $"{c} is not a positive channel count");
        if (FeatureDim < 2) yield return new("feature_dim", "must be >= 2 (a covariance needs more than one feature)");
        if (Epochs < 1) yield return new("epochs", "must be >= 1");
        if (BatchSize < 2) yield return new("batch_size", "must be >= 2");
        if (Lr is <= 0 or > 1) yield return new("lr", "must be in (0, 1]");
        if (WeightDecay < 0) yield return new("weight_decay", "must be >= 0");
        if (ValFraction is <= 0 or >= 1) yield return new("val_fraction", "must be in (0, 1)");
        if (MaxShift < 0) yield return new("max_shift", "must be >= 0 pixels");
        if (OutlierWeight < 0) yield return new("outlier_weight", "must be >= 0 (0 = no outlier exposure)");
    }
}
