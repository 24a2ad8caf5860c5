using GenLab.Models.Configuration;
using GenLab.Models.Data;
using SkiaSharp;

namespace GenLab.Models.Images;

public enum ShapeKind { Circle, Square, Triangle, Star }

/// <summary>A colour with components in [0, 1].</summary>
public readonly record struct Rgb(float R, float G, float B)
{
    /// <summary>ITU-R BT.601 luma; used to pick black or white text that stands out.</summary>
    public float Luma => 0.299f * R + 0.587f * G + 0.114f * B;

    internal SKColor ToSkia() => new(ToByte(R), ToByte(G), ToByte(B));

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);

    /// <summary>Hue, saturation and value in [0, 1] to RGB.</summary>
    public static Rgb FromHsv(double h, double s, double v)
    {
        double sector = h * 6 % 6;
        int i = (int)sector;
        double f = sector - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        var (r, g, b) = i switch
        {
            0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q),
        };
        return new Rgb((float)r, (float)g, (float)b);
    }
}

/// <summary>One drawn shape. Position and radius are fractions of the image side, so a layout renders the same
/// scene at any size.</summary>
public sealed record Shape(ShapeKind Kind, float CenterX, float CenterY, float Radius, float RotationDegrees, Rgb Color);

/// <summary>Text drawn over the shapes; <see cref="Height"/> is the em size as a fraction of the image side
/// (shrunk at draw time if the string would not fit).</summary>
public sealed record SceneText(string Text, float CenterX, float CenterY, float Height, Rgb Color);

/// <summary>Everything needed to draw one image: the renderer's output is a pure function of a layout and a size.
/// Layouts double as labels (shape kinds, the word) for later conditional models.</summary>
public sealed record SceneLayout(Rgb Background, IReadOnlyList<Shape> Shapes, SceneText? Text, float NoiseStd, ulong NoiseSeed);

/// <summary>What kind of scenes to draw: a distribution that <see cref="ShapeRenderer.Sample"/> draws layouts from.
/// The defaults give 1–3 coloured shapes of any kind, no text, no noise.</summary>
public sealed record ShapeSpec : IValidatable
{
    public IReadOnlyList<ShapeKind> Kinds { get; init; } = Enum.GetValues<ShapeKind>();
    [Max(64)]
    public int MinShapes { get; init; } = 1;
    [Max(64)]
    public int MaxShapes { get; init; } = 3;
    /// <summary>Shape radius (centre to farthest point) as a fraction of the image side.</summary>
    public float MinRadius { get; init; } = 0.12f;
    public float MaxRadius { get; init; } = 0.3f;
    public bool Rotate { get; init; } = true;
    /// <summary>One channel (BT.601 luma of the coloured scene) instead of three.</summary>
    public bool Grayscale { get; init; }
    /// <summary>Strings to draw one of on top of the shapes (e.g. the digits "0"–"9"); empty: no text.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];
    /// <summary>Standard deviation of additive Gaussian pixel noise, in [0, 1] units; 0: none.</summary>
    public float NoiseStd { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Kinds.Count == 0) yield return new("kinds", "must list at least one shape kind");
        if (MinShapes < 0) yield return new("min_shapes", "must be >= 0");
        if (MaxShapes < MinShapes) yield return new("max_shapes", $"must be >= min_shapes ({MinShapes})");
        if (MinRadius is <= 0 or > 0.5f) yield return new("min_radius", "must be in (0, 0.5]");
        if (MaxRadius < MinRadius || MaxRadius > 0.5f) yield return new("max_radius", "must be in [min_radius, 0.5]");
        if (Texts.Any(string.IsNullOrWhiteSpace)) yield return new("texts", "must not contain empty strings");
        if (NoiseStd is < 0 or > 1) yield return new("noise_std", "must be in [0, 1]");
    }
}

/// <summary>Procedural scenes of circles, squares, triangles and stars, optionally with a word or digit on top —
/// a dataset that needs no download and whose generating factors are known. Deterministic: the same spec and
/// generator state give the same pixels (SkiaSharp's raster backend is CPU-only and deterministic on a given
/// build).</summary>
public static class ShapeRenderer
{
    public const int MinSize = 8;
    public const int MaxSize = 1024;

    /// <summary>Words for <see cref="Scene"/>: short enough to read at 64 px.</summary>
    public static readonly IReadOnlyList<string> SceneWords = ["cat", "sun", "AI", "token", "7", "42", "pixel", "GPT"];

    // DejaVu Sans is the family the lab's machines ship; SKTypeface.Default is whatever the platform offers.
    private static readonly SKTypeface Typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;

    /// <summary>The tokenization lab's picture: 2–4 shapes and a word, RGB, no noise.</summary>
    public static ImageData Scene(int size, long seed)
    {
        var spec = new ShapeSpec { MinShapes = 2, MaxShapes = 4, Texts = SceneWords };
        return Render(spec, size, SplitMix64.ForPurpose(seed, "scene"));
    }

    /// <summary>Draws a layout from <paramref name="spec"/> using <paramref name="rng"/> and renders it.</summary>
    public static ImageData Render(ShapeSpec spec, int size, SplitMix64 rng)
    {
        var image = Draw(Sample(spec, rng), size);
        return spec.Grayscale ? image.ToGray() : image;
    }

    /// <summary>Draws a random layout: background, shapes, text and noise seed, all from <paramref name="rng"/>.</summary>
    public static SceneLayout Sample(ShapeSpec spec, SplitMix64 rng)
    {
        var issues = spec.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(spec));

        // Background: a pale or a dark, low-saturation colour; shapes: saturated mid-to-bright colours, so a shape
        // always differs from the background in hue or lightness.
        bool dark = rng.NextDouble() < 0.5;
        var background = Rgb.FromHsv(rng.NextDouble(), 0.15 * rng.NextDouble(), dark ? 0.1 + 0.15 * rng.NextDouble() : 0.85 + 0.15 * rng.NextDouble());

        int count = spec.MinShapes + (int)rng.NextInt64(spec.MaxShapes - spec.MinShapes + 1);
        var shapes = new List<Shape>(count);
        for (int i = 0; i < count; i++)
        {
            var kind = spec.Kinds[(int)rng.NextInt64(spec.Kinds.Count)];
            float radius = (float)(spec.MinRadius + (spec.MaxRadius - spec.MinRadius) * rng.NextDouble());
            // Keep the centre far enough in that most of the shape stays visible.
            float cx = (float)(radius * 0.5 + (1 - radius) * rng.NextDouble());
            float cy = (float)(radius * 0.5 + (1 - radius) * rng.NextDouble());
            float rotation = spec.Rotate ? (float)(360 * rng.NextDouble()) : 0f;
            var color = Rgb.FromHsv(rng.NextDouble(), 0.6 + 0.4 * rng.NextDouble(), 0.55 + 0.45 * rng.NextDouble());
            shapes.Add(new Shape(kind, cx, cy, radius, rotation, color));
        }

        SceneText? text = null;
        if (spec.Texts.Count > 0)
        {
            string word = spec.Texts[(int)rng.NextInt64(spec.Texts.Count)];
            float height = (float)(0.22 + 0.08 * rng.NextDouble());
            float cx = (float)(0.35 + 0.3 * rng.NextDouble());
            float cy = (float)(0.3 + 0.4 * rng.NextDouble());
            var ink = background.Luma > 0.5f ? new Rgb(0, 0, 0) : new Rgb(1, 1, 1);
            text = new SceneText(word, cx, cy, height, ink);
        }

        return new SceneLayout(background, shapes, text, spec.NoiseStd, rng.NextUInt64());
    }

    /// <summary>Renders a layout as a size×size RGB image.</summary>
    public static ImageData Draw(SceneLayout layout, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);

        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(layout.Background.ToSkia());
            using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
            foreach (var shape in layout.Shapes)
            {
                using var path = ShapePath(shape, size);
                fill.Color = shape.Color.ToSkia();
                canvas.DrawPath(path, fill);
            }
            if (layout.Text is { } text) DrawText(canvas, text, layout.Background, size);
        }

        float[] pixels = ImageData.FromOpaqueBitmap(bitmap).Pixels;

        if (layout.NoiseStd > 0)
        {
            var noise = new SplitMix64(layout.NoiseSeed);
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = Math.Clamp(pixels[i] + layout.NoiseStd * (float)noise.NextGaussian(), 0f, 1f);
        }
        return new ImageData(size, size, 3, pixels);
    }

    private static SKPath ShapePath(Shape shape, int size)
    {
        float cx = shape.CenterX * size, cy = shape.CenterY * size, r = shape.Radius * size;
        var path = new SKPath();
        switch (shape.Kind)
        {
            case ShapeKind.Circle:
                path.AddCircle(cx, cy, r);
                return path;
            case ShapeKind.Square:
                AddPolygon(path, cx, cy, 4, r, r, shape.RotationDegrees + 45);   // +45°: axis-aligned at 0°
                return path;
            case ShapeKind.Triangle:
                AddPolygon(path, cx, cy, 3, r, r, shape.RotationDegrees);
                return path;
            case ShapeKind.Star:
                // Five points; inner radius 0.382·r (1/φ²) gives the regular pentagram's outline.
                AddPolygon(path, cx, cy, 5, r, 0.382f * r, shape.RotationDegrees);
                return path;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, "unknown shape kind");
        }
    }

    /// <summary>A regular polygon (inner = outer) or star (inner &lt; outer) with its first vertex pointing up
    /// at rotation 0.</summary>
    private static void AddPolygon(SKPath path, float cx, float cy, int points, float outer, float inner, float rotationDegrees)
    {
        bool star = inner < outer;
        int vertices = star ? 2 * points : points;
        for (int i = 0; i < vertices; i++)
        {
            double angle = (rotationDegrees - 90) * Math.PI / 180 + 2 * Math.PI * i / vertices;
            float radius = star && i % 2 == 1 ? inner : outer;
            float x = cx + radius * (float)Math.Cos(angle), y = cy + radius * (float)Math.Sin(angle);
            if (i == 0) path.MoveTo(x, y);
            else path.LineTo(x, y);
        }
        path.Close();
    }

    private static void DrawText(SKCanvas canvas, SceneText text, Rgb background, int size)
    {
        using var font = new SKFont(Typeface, text.Height * size) { Edging = SKFontEdging.Antialias };
        float width = font.MeasureText(text.Text);
        if (width > 0.9f * size) font.Size *= 0.9f * size / width;   // long words shrink to fit
        font.MeasureText(text.Text, out var bounds);

        // Centre the ink box, then clamp so it stays inside the image.
        float x = text.CenterX * size - bounds.MidX;
        float y = text.CenterY * size - bounds.MidY;
        x = Math.Clamp(x, -bounds.Left + 1, size - bounds.Right - 1);
        y = Math.Clamp(y, -bounds.Top + 1, size - bounds.Bottom - 1);

        // A thin halo in the background colour keeps the word readable where it crosses a shape without hiding it.
        using var halo = new SKPaint
        {
            IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, font.Size / 14),
            StrokeJoin = SKStrokeJoin.Round, Color = background.ToSkia(),
        };
        using var ink = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = text.Color.ToSkia() };
        canvas.DrawText(text.Text, x, y, SKTextAlign.Left, font, halo);
        canvas.DrawText(text.Text, x, y, SKTextAlign.Left, font, ink);
    }

}
