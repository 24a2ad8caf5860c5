using GenLab.Models.Configuration;

namespace GenLab.Models.Images;

/// <summary><c>kind: image_patches</c> — data section: a PNG/JPEG file, or (without one) a generated scene of
/// shapes and a word, seeded by the experiment's seed.</summary>
public sealed record ImageSourceConfig : IValidatable
{
    [FilePath]
    public string? Image { get; init; }
    /// <summary>Side of the generated scene in pixels (ignored with <c>image</c>).</summary>
    [Max(1024)]
    public int Size { get; init; } = 64;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Size is < 8 or > 1024) yield return new("size", "must be between 8 and 1024 pixels");
    }
}

/// <summary><c>kind: image_patches</c> — model section: the patch sizes to compare and the width of the
/// convolutional patch embedding (Conv2d with kernel = stride = P, as in ViT).</summary>
public sealed record ImagePatchesConfig : IValidatable
{
    [Max(1024)]
    public required IReadOnlyList<int> PatchSizes { get; init; }
    [Max(4096)]
    public int EmbeddingDim { get; init; } = 64;
    /// <summary>Upscaling of the figures, so that small images and patch numbers stay readable.</summary>
    [Max(32)]
    public int Scale { get; init; } = 6;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (PatchSizes.Count == 0) yield return new("patch_sizes", "list at least one patch size");
        foreach (int p in PatchSizes.Where(p => p < 1)) yield return new("patch_sizes", $"{p} is not a positive patch size");
        if (EmbeddingDim < 1) yield return new("embedding_dim", "must be >= 1");
        if (Scale is < 1 or > 32) yield return new("scale", "must be between 1 and 32");
    }
}
