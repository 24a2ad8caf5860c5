using GenLab.Models.Configuration;
using GenLab.Models.Data;
using SkiaSharp;

namespace GenLab.Models.Images;

/// <summary>How generated digits vary. Every range is symmetric around the upright, centred, plain glyph. The
/// defaults are MNIST-like: MNIST's digits are size-normalised into a 20×20 box and centred by their centre of mass in
/// 28×28, so what varies is the writing (face, slant, stroke), hardly the position or size. Pose jitter is cheap to
/// add and expensive to learn: with ±6% shift and ±10% size a 2-D VAE spent its latent plane on pose and merged
/// 0/5/6/8/9 (vae-digits.yaml: k-NN accuracy of the digit 0.57 after 2000 steps); with these defaults it separates
/// them (0.82 after 250).</summary>
public sealed record DigitStyle : IValidatable
{
    /// <summary>Font families to draw from; empty: every installed family that has the ten digits. Naming them
    /// keeps the data the same on a machine with more fonts installed.</summary>
    public IReadOnlyList<string> Fonts { get; init; } = [];
    /// <summary>Rotation up to ± this many degrees.</summary>
    public double MaxRotation { get; init; } = 8;
    /// <summary>Horizontal shear up to ± this factor (x += shear · y): hand-written slant.</summary>
    public double MaxShear { get; init; } = 0.15;
    /// <summary>Height of the digit as a fraction of the image side, drawn uniformly from [min_scale, max_scale]
    /// (MNIST's digits fill a 20-pixel box in 28 pixels: 0.71).</summary>
    public double MinScale { get; init; } = 0.68;
    public double MaxScale { get; init; } = 0.75;
    /// <summary>Shift of the centre up to ± this fraction of the side, along each axis (kept inside the frame).</summary>
    public double MaxShift { get; init; } = 0.01;
    /// <summary>An outline stroked over the filled glyph, 0 to this fraction of the digit's height wide: thin faces
    /// become bold ones.</summary>
    public double MaxStroke { get; init; } = 0.05;
    /// <summary>Standard deviation of additive Gaussian pixel noise, in [0, 1] units; 0: none.</summary>
    public double NoiseStd { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Fonts.Any(string.IsNullOrWhiteSpace)) yield return new("fonts", "must not contain empty names");
        if (MaxRotation is < 0 or > 45) yield return new("max_rotation", "must be between 0 and 45 degrees (a 6 turned 180° is a 9)");
        if (MaxShear is < 0 or > 1) yield return new("max_shear", "must be in [0, 1]");
        if (MinScale is <= 0.2 or > 1) yield return new("min_scale", "must be in (0.2, 1]");
        if (MaxScale < MinScale || MaxScale > 1) yield return new("max_scale", $"must be in [min_scale ({MinScale}), 1]");
        if (MaxShift is < 0 or > 0.25) yield return new("max_shift", "must be in [0, 0.25]");
        if (MaxStroke is < 0 or > 0.3) yield return new("max_stroke", "must be in [0, 0.3]");
        if (NoiseStd is < 0 or > 1) yield return new("noise_std", "must be in [0, 1]");
    }
}

/// <summary>One typeface the digits are drawn with, e.g. "DejaVu Serif Bold Italic".</summary>
public sealed record DigitFace(string Family, string Name)
{
    /// <summary>Outlines of "0".."9" at 100 px, baseline at y = 0; read-only once built.</summary>
    internal SKPath[] Glyphs { get; init; } = [];
}

/// <summary>MNIST-like digits with no download: "0"–"9" drawn from the machine's fonts, white on black, one channel,
/// with a random face, size, rotation, shear, shift and stroke weight per image (and optional pixel noise). The
/// labels are the digits themselves. Deterministic: the same generator state and the same installed faces give the
/// same pixels (SkiaSharp's raster backend is CPU-only); a course machine has the DejaVu faces, and
/// <see cref="DigitStyle.Fonts"/> pins the families where others are installed.</summary>
public static class DigitImages
{
    public const int MinSize = 16;
    public const int MaxSize = 64;
    private const float GlyphSize = 100;

    /// <summary>The class labels, in digit order.</summary>
    public static readonly IReadOnlyList<string> Labels = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    // Built once: enumerating fonts goes through fontconfig, and the glyph outlines never change.
    private static readonly Lazy<IReadOnlyList<DigitFace>> Installed = new(EnumerateFaces);

    /// <summary>Every installed face with all ten digits, ordered by family, then weight, width and slant — the
    /// font manager's own order is not stable across machines. When the font manager lists none, SkiaSharp's
    /// default typeface alone (named "default (family)"), if it has the digits.</summary>
    public static IReadOnlyList<DigitFace> InstalledFaces => Installed.Value;

    /// <summary>The faces of <paramref name="families"/> (every installed face when empty), in
    /// <see cref="InstalledFaces"/> order.</summary>
    /// <exception cref="ArgumentException">a family is not installed or lacks a digit; the message lists what is.</exception>
    /// <exception cref="InvalidOperationException">no font with the digits is installed at all.</exception>
    public static IReadOnlyList<DigitFace> Faces(IReadOnlyList<string> families)
    {
        var installed = InstalledFaces;
        if (installed.Count == 0)
            throw new InvalidOperationException(
                "no installed font has the digits 0-9, so digits cannot be drawn (SkiaSharp found none; on Debian/Ubuntu: apt-get install fonts-dejavu-core)");
        if (families.Count == 0) return installed;
        foreach (string family in families)
            if (!installed.Any(f => f.Family.Equals(family, StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException(
                    $"font family '{family}' is not installed or lacks the digits 0-9; installed: {string.Join(", ", installed.Select(f => f.Family).Distinct())}",
                    nameof(families));
        return [.. installed.Where(f => families.Contains(f.Family, StringComparer.OrdinalIgnoreCase))];
    }

    /// <summary>One digit as a size×size gray image (white ink on black). Face, scale, angle, shear, stroke and
    /// shift are drawn from <paramref name="rng"/> in that order, then the noise, pixel by pixel.</summary>
    public static ImageData Render(int digit, int size, SplitMix64 rng, DigitStyle? style = null, IReadOnlyList<DigitFace>? faces = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digit, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digit, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        style ??= new DigitStyle();
        var issues = style.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(style));
        faces ??= Faces(style.Fonts);
        if (faces.Count == 0) throw new ArgumentException("no faces to draw from", nameof(faces));

        // 1. Random factors, always the same number of draws.
        var face = faces[(int)rng.NextInt64(faces.Count)];
        double height = size * (style.MinScale + (style.MaxScale - style.MinScale) * rng.NextDouble());   // px
        double angle = style.MaxRotation * (2 * rng.NextDouble() - 1);
        double shear = style.MaxShear * (2 * rng.NextDouble() - 1);
        double stroke = height * style.MaxStroke * rng.NextDouble();                                       // px
        double shiftX = style.MaxShift * size * (2 * rng.NextDouble() - 1);
        double shiftY = style.MaxShift * size * (2 * rng.NextDouble() - 1);

        // 2. Outline: glyph ink box centred on the origin, scaled to the height (wide glyphs to 85% of the side),
        //    sheared, rotated; then moved to the image centre plus the shift, kept inside a 1-pixel margin.
        using var path = new SKPath(face.Glyphs[digit]);
        var ink = path.TightBounds;
        float scale = (float)Math.Min(height / ink.Height, 0.85 * size / ink.Width);
        var m = SKMatrix.CreateTranslation(-ink.MidX, -ink.MidY)
            .PostConcat(SKMatrix.CreateScale(scale, scale))
            .PostConcat(SKMatrix.CreateSkew((float)-shear, 0))          // y grows downwards: -shear leans the top right
            .PostConcat(SKMatrix.CreateRotationDegrees((float)angle));
        path.Transform(m);
        var box = path.TightBounds;
        float room = size - 2 - (float)stroke;                          // what the outline may span inside the margin
        if (box.Width > room || box.Height > room)                      // a big, turned or sheared digit: shrink to fit
        {
            float fit = Math.Max(room, 1) / Math.Max(box.Width, box.Height);
            path.Transform(SKMatrix.CreateScale(fit, fit, box.MidX, box.MidY));
            box = path.TightBounds;
        }
        box.Inflate((float)stroke / 2, (float)stroke / 2);
        float dx = Place(size / 2f + (float)shiftX, box.Left, box.Right, size);
        float dy = Place(size / 2f + (float)shiftY, box.Top, box.Bottom, size);
        path.Transform(SKMatrix.CreateTranslation(dx, dy));

        // 3. Draw white on black; fill plus an optional stroke over the outline.
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            using var paint = new SKPaint
            {
                IsAntialias = true, Color = SKColors.White, StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round,
                Style = stroke > 0 ? SKPaintStyle.StrokeAndFill : SKPaintStyle.Fill, StrokeWidth = (float)stroke,
            };
            canvas.DrawPath(path, paint);
        }

        // 4. One channel (R = G = B), plus noise.
        var rgb = ImageData.FromOpaqueBitmap(bitmap).Pixels;
        var gray = rgb[..(size * size)];
        if (style.NoiseStd > 0)
            for (int i = 0; i < gray.Length; i++)
                gray[i] = Math.Clamp(gray[i] + (float)(style.NoiseStd * rng.NextGaussian()), 0f, 1f);
        return new ImageData(size, size, 1, gray);
    }

    /// <summary>A labelled set: <paramref name="countPerDigit"/> images of each digit (balanced), in a shuffled
    /// order; the same seed gives the same images and labels.</summary>
    public static (IReadOnlyList<ImageData> Images, IReadOnlyList<int> Labels) Dataset(int countPerDigit, int size, long seed, DigitStyle? style = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(countPerDigit, 1);
        style ??= new DigitStyle();
        var faces = Faces(style.Fonts);
        var labels = Enumerable.Range(0, 10).SelectMany(d => Enumerable.Repeat(d, countPerDigit)).ToList();
        // Separate streams: the order does not depend on how many numbers a rendering consumed.
        SplitMix64.ForPurpose(seed, "digits-order").Shuffle(labels);
        var rng = SplitMix64.ForPurpose(seed, "digits-images");
        var images = labels.Select(d => Render(d, size, rng, style, faces)).ToList();
        return (images, labels);
    }

    /// <summary>The offset that puts the box's centre at <paramref name="centre"/>, moved as little as needed to
    /// keep [low, high] inside [1, size - 1] (it fits: the outline was shrunk to).</summary>
    private static float Place(float centre, float low, float high, int size) =>
        Math.Clamp(centre - (low + high) / 2, 1 - low, Math.Max(1 - low, size - 1 - high));

    private static List<DigitFace> EnumerateFaces()
    {
        var manager = SKFontManager.Default;
        var found = new List<(string Family, int Weight, int Width, SKFontStyleSlant Slant, SKPath[] Glyphs)>();
        foreach (string family in manager.GetFontFamilies().Distinct(StringComparer.Ordinal))
        {
            using var styles = manager.GetFontStyles(family);
            for (int i = 0; i < styles.Count; i++)
            {
                using var typeface = styles.CreateTypeface(i);
                if (typeface is null || !HasDigits(typeface)
                    || found.Any(f => (f.Family, f.Weight, f.Width, f.Slant) == (family, typeface.FontWeight, typeface.FontWidth, typeface.FontSlant)))
                    continue;
                found.Add((family, typeface.FontWeight, typeface.FontWidth, typeface.FontSlant, Glyphs(typeface)));
            }
        }
        // SKTypeface.Default is shared by SkiaSharp: used, never disposed.
        if (found.Count == 0 && SKTypeface.Default is { } fallback && HasDigits(fallback))
            found.Add(($"default ({fallback.FamilyName})", fallback.FontWeight, fallback.FontWidth, fallback.FontSlant, Glyphs(fallback)));

        return [.. found.OrderBy(f => f.Family, StringComparer.Ordinal).ThenBy(f => f.Weight).ThenBy(f => f.Width).ThenBy(f => f.Slant)
            .Select(f => new DigitFace(f.Family, FaceName(f.Family, f.Weight, f.Width, f.Slant)) { Glyphs = f.Glyphs })];
    }

    private static bool HasDigits(SKTypeface typeface)
    {
        using var font = new SKFont(typeface, GlyphSize);
        return font.ContainsGlyphs("0123456789");
    }

    private static SKPath[] Glyphs(SKTypeface typeface)
    {
        using var font = new SKFont(typeface, GlyphSize);
        return [.. Labels.Select(d => font.GetTextPath(d, new SKPoint(0, 0)))];
    }

    /// <summary>"DejaVu Sans" + " Light"/" Bold", " Condensed"/" Expanded", " Italic"/" Oblique" from the style.</summary>
    private static string FaceName(string family, int weight, int width, SKFontStyleSlant slant)
    {
        var parts = new List<string> { family };
        if (weight <= 300) parts.Add("Light");
        else if (weight >= 600) parts.Add("Bold");
        if (width < 5) parts.Add("Condensed");
        else if (width > 5) parts.Add("Expanded");
        if (slant == SKFontStyleSlant.Italic) parts.Add("Italic");
        else if (slant == SKFontStyleSlant.Oblique) parts.Add("Oblique");
        return string.Join(' ', parts);
    }
}
