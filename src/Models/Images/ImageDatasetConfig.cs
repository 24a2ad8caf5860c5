using GenLab.Models.Configuration;

namespace GenLab.Models.Images;

public enum ImageSource
{
    /// <summary>The drawer's 16 school items rendered procedurally (labels: item type and colour).</summary>
    Drawer,
    /// <summary>An MNIST-format IDX image file, with an optional IDX label file.</summary>
    Idx,
    /// <summary>A folder of PNG/JPEG images; the sub-folder name is the label.</summary>
    Folder,
    /// <summary>MNIST-like digits 0–9 drawn from the installed fonts (<see cref="DigitImages"/>; labels "0"–"9").</summary>
    Digits,
}

/// <summary>Where a model's training images come from.</summary>
public sealed record ImageDatasetConfig : IValidatable
{
    public ImageSource Source { get; init; } = ImageSource.Drawer;
    /// <summary>idx: the image file; folder: the directory.</summary>
    [FilePath]
    public string? Path { get; init; }
    /// <summary>idx: the label file (optional).</summary>
    [FilePath]
    public string? Labels { get; init; }
    /// <summary>Side of the square images the model sees; IDX images are padded or cropped (centred) to it; digits
    /// are drawn at 16–64 pixels.</summary>
    [Max(256)]
    public int Size { get; init; } = 32;
    /// <summary>drawer: images rendered per item (16 items); digits: images drawn per digit (10 digits).</summary>
    [Max(10_000)]
    public int CountPerItem { get; init; } = 150;
    /// <summary>drawer and folder: one channel instead of three. IDX files and digits always have one.</summary>
    public bool Grayscale { get; init; }
    /// <summary>drawer: items are rotated by up to ± this many degrees (180 = any angle) and, below 180, kept
    /// near the centre at a steady size.</summary>
    public double MaxRotation { get; init; } = 180;
    /// <summary>digits: fonts, pose and stroke variation, noise (<see cref="DigitStyle"/>'s defaults when absent).</summary>
    public DigitStyle? Digits { get; init; }
    /// <summary>Use at most this many images (0 = all).</summary>
    [Max(10_000_000)]
    public int Limit { get; init; }
    public double ValFraction { get; init; } = 0.15;

    public IEnumerable<ConfigIssue> Validate()
    {
        bool generated = Source is ImageSource.Drawer or ImageSource.Digits;
        if (!generated && Path is null) yield return new("path", $"source {Source.ToString().ToLowerInvariant()} needs a path");
        if (generated && Path is not null) yield return new("path", "applies to sources idx and folder only");
        if (Labels is not null && Source != ImageSource.Idx) yield return new("labels", "applies to source idx only");
        if (Digits is not null && Source != ImageSource.Digits) yield return new("digits", "applies to source digits only");
        if (Size is < 8 or > 256) yield return new("size", "must be between 8 and 256 pixels");
        else if (Source == ImageSource.Digits && Size is < DigitImages.MinSize or > DigitImages.MaxSize)
            yield return new("size", $"digits are drawn at {DigitImages.MinSize} to {DigitImages.MaxSize} pixels");
        if (CountPerItem < 1) yield return new("count_per_item", "must be >= 1");
        if (MaxRotation is < 0 or > 180) yield return new("max_rotation", "must be between 0 and 180 degrees");
        if (Limit < 0) yield return new("limit", "must be >= 0 (0 = all)");
        if (ValFraction is <= 0 or >= 1) yield return new("val_fraction", "must be in (0, 1)");
    }
}
