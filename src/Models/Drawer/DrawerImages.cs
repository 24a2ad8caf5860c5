using GenLab.Models.Data;
using GenLab.Models.Images;
using SkiaSharp;

namespace GenLab.Models.Drawer;

/// <summary>Small pictures of the drawer items: a pencil, pen, eraser or ruler silhouette in its colour on a light
/// background, at a random position, size and rotation, with slight pixel noise. The type is readable from the shape
/// alone (every item has a dark outline, so it survives grayscale) and the colour from the hue — a labelled image set
/// for the "same 16 items, learned from pixels" part of the lab, with no download.</summary>
public static class DrawerImages
{
    public const int MinSize = 16;
    public const int MaxSize = 1024;

    /// <summary>One item as a size×size RGB image. Everything random — background tint, hue jitter, scale, angle,
    /// position, noise — is drawn from <paramref name="rng"/>, so the same generator state gives the same pixels.</summary>
    /// <param name="pose">How much position, size and angle vary; <see cref="DrawerPose.Free"/> by default.</param>
    public static ImageData Render(DrawerItem item, int size, SplitMix64 rng, double noiseStd = 0.03, DrawerPose? pose = null)
    {
        pose ??= DrawerPose.Free;
        ArgumentNullException.ThrowIfNull(item);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        if (noiseStd is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "must be in [0, 1]");

        // 1. Colours: a pale, barely tinted background; the item's hue jittered a little so "blue" is a range, not one value.
        var background = Rgb.FromHsv(rng.NextDouble(), pose.BackgroundJitter * 0.08 * rng.NextDouble(), 0.93 + pose.BackgroundJitter * 0.1 * (rng.NextDouble() - 0.5));
        var body = ItemRgb(item.Color, rng);

        // 2. Pose: scale and angle first, then a centre that keeps the rotated item inside the frame.
        var (halfLength, halfWidth) = HalfExtents(item.Type);
        double scale = 0.8 + 0.25 * (0.5 + pose.ScaleJitter * (rng.NextDouble() - 0.5));
        double angle = pose.MaxRotationDegrees * (2 * rng.NextDouble() - 1);
        double radians = angle * Math.PI / 180;
        double cos = Math.Abs(Math.Cos(radians)), sin = Math.Abs(Math.Sin(radians));
        double slackX = Math.Max(0, 0.48 - scale * (cos * halfLength + sin * halfWidth));
        double slackY = Math.Max(0, 0.48 - scale * (sin * halfLength + cos * halfWidth));
        double cx = 0.5 + pose.PositionJitter * slackX * (2 * rng.NextDouble() - 1);
        double cy = 0.5 + pose.PositionJitter * slackY * (2 * rng.NextDouble() - 1);

        // 3. Draw in item units (image side = 1, long axis along x, centred on the origin).
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(ToSkia(background));
            canvas.Translate((float)(cx * size), (float)(cy * size));
            canvas.RotateDegrees((float)angle);
            canvas.Scale((float)(scale * size));
            // An outline of one pixel per 32 px of image (thinner below 32 px so it does not swallow the colour),
            // expressed in item units.
            float outline = (float)(Math.Max(0.6, size / 32.0) / (scale * size));
            DrawItem(canvas, item.Type, body, outline);
        }

        // 4. Pixels to (3, H, W) floats, plus Gaussian noise. Premultiplied with an opaque background equals straight alpha.
        var image = ImageData.FromOpaqueBitmap(bitmap);
        if (noiseStd == 0) return image;
        int plane = size * size;
        for (int y = 0; y < size; y++)                        // noise drawn pixel by pixel, channel innermost
        for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
        {
            int at = c * plane + y * size + x;
            image.Pixels[at] = Math.Clamp(image.Pixels[at] + (float)(noiseStd * rng.NextGaussian()), 0f, 1f);
        }
        return image;
    }

    /// <summary>A labelled set: <paramref name="countPerItem"/> pictures of each of the 16 items (balanced), in a
    /// shuffled order; the same seed gives the same images and labels.</summary>
    public static (IReadOnlyList<ImageData> Images, IReadOnlyList<DrawerItem> Labels) Dataset(
        int countPerItem, int size, long seed, bool grayscale = false, DrawerPose? pose = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(countPerItem, 1);
        var labels = DrawerItem.All.SelectMany(item => Enumerable.Repeat(item, countPerItem)).ToList();
        // Separate streams: the order does not depend on how many numbers a rendering consumed.
        SplitMix64.ForPurpose(seed, "drawer-order").Shuffle(labels);
        var rng = SplitMix64.ForPurpose(seed, "drawer-images");
        var images = new List<ImageData>(labels.Count);
        foreach (var item in labels)
        {
            var image = Render(item, size, rng, pose: pose);
            images.Add(grayscale ? image.ToGray() : image);
        }
        return (images, labels);
    }

    /// <summary>All 16 items as a 4×4 contact sheet (rows: types, columns: colours) with a 2-pixel white gap — the
    /// figure that shows the drawer.</summary>
    public static ImageData Sheet(int size, long seed, bool grayscale = false)
    {
        const int gap = 2;
        var rng = SplitMix64.ForPurpose(seed, "drawer-sheet");
        int side = DrawerItem.ColorCount * size + (DrawerItem.ColorCount + 1) * gap;
        int channels = grayscale ? 1 : 3, plane = side * side;
        var pixels = new float[channels * plane];
        Array.Fill(pixels, 1f);
        foreach (var item in DrawerItem.All)
        {
            var image = Render(item, size, rng);
            if (grayscale) image = image.ToGray();
            int top = gap + (int)item.Type * (size + gap), left = gap + (int)item.Color * (size + gap);
            for (int c = 0; c < channels; c++)
            for (int y = 0; y < size; y++)
                Array.Copy(image.Pixels, (c * size + y) * size, pixels, c * plane + (top + y) * side + left, size);
        }
        return new ImageData(side, side, channels, pixels);
    }

    /// <summary>Half length and half width of each silhouette in item units, for keeping it in the frame.</summary>
    private static (double HalfLength, double HalfWidth) HalfExtents(ItemType type) => type switch
    {
        ItemType.Pencil => (0.40, 0.07),
        ItemType.Pen => (0.40, 0.105),
        ItemType.Eraser => (0.25, 0.14),
        ItemType.Ruler => (0.44, 0.085),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown item type"),
    };

    /// <summary>Hue centres at red 0°, blue 220°, green 130°, yellow 50°, with ±7° jitter; brightness per colour so
    /// yellow stays yellow (not olive) and green stays green (not lime).</summary>
    private static Rgb ItemRgb(ItemColor color, SplitMix64 rng)
    {
        var (hue, minValue) = color switch
        {
            ItemColor.Red => (0.0, 0.78),
            ItemColor.Blue => (220.0, 0.7),
            ItemColor.Green => (130.0, 0.55),
            ItemColor.Yellow => (50.0, 0.9),
            _ => throw new ArgumentOutOfRangeException(nameof(color), color, "unknown item color"),
        };
        double h = (hue + 14 * (rng.NextDouble() - 0.5) + 360) % 360 / 360;
        return Rgb.FromHsv(h, 0.75 + 0.2 * rng.NextDouble(), minValue + (1 - minValue) * 0.8 * rng.NextDouble());
    }

    private static void DrawItem(SKCanvas canvas, ItemType type, Rgb body, float outline)
    {
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint
        {
            IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = outline,
            StrokeJoin = SKStrokeJoin.Round, Color = Ink,
        };
        var shade = Scale(body, 0.7f);
        switch (type)
        {
            case ItemType.Pencil:
            {
                // Hexagonal body with two facet lines, a bare-wood cone and a graphite point.
                fill.Color = ToSkia(body);
                canvas.DrawRect(SKRect.Create(-0.40f, -0.07f, 0.60f, 0.14f), fill);
                using var facet = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.6f * outline, Color = ToSkia(shade) };
                canvas.DrawLine(-0.40f, -0.023f, 0.20f, -0.023f, facet);
                canvas.DrawLine(-0.40f, 0.023f, 0.20f, 0.023f, facet);
                fill.Color = Wood;
                using (var cone = Polygon((0.20f, -0.07f), (0.40f, 0f), (0.20f, 0.07f))) canvas.DrawPath(cone, fill);
                fill.Color = Ink;
                using (var point = Polygon((0.333f, -0.024f), (0.40f, 0f), (0.333f, 0.024f))) canvas.DrawPath(point, fill);
                using var silhouette = Polygon((-0.40f, -0.07f), (0.20f, -0.07f), (0.40f, 0f), (0.20f, 0.07f), (-0.40f, 0.07f));
                canvas.DrawPath(silhouette, stroke);
                break;
            }
            case ItemType.Pen:
            {
                // A ballpoint: clear barrel showing a coloured ink tube, metal tip, and the coloured cap posted on the
                // back end with a clip. In grayscale it reads as light barrel + dark cap, the pencil's opposite.
                var barrel = SKRect.Create(-0.30f, -0.055f, 0.58f, 0.11f);
                fill.Color = Clear;
                canvas.DrawRoundRect(barrel, 0.055f, 0.055f, fill);
                using (var ink = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.024f, Color = ToSkia(body) })
                    canvas.DrawLine(-0.20f, 0f, 0.25f, 0f, ink);
                canvas.DrawRoundRect(barrel, 0.055f, 0.055f, stroke);
                using (var tip = Polygon((0.28f, -0.04f), (0.38f, -0.007f), (0.38f, 0.007f), (0.28f, 0.04f)))
                {
                    fill.Color = Metal;
                    canvas.DrawPath(tip, fill);
                    canvas.DrawPath(tip, stroke);
                }
                var cap = SKRect.Create(-0.40f, -0.07f, 0.28f, 0.14f);
                fill.Color = ToSkia(body);
                canvas.DrawRoundRect(cap, 0.035f, 0.035f, fill);
                canvas.DrawRoundRect(cap, 0.035f, 0.035f, stroke);
                var clip = SKRect.Create(-0.37f, -0.105f, 0.24f, 0.035f);
                fill.Color = ToSkia(shade);
                canvas.DrawRoundRect(clip, 0.015f, 0.015f, fill);
                canvas.DrawRoundRect(clip, 0.015f, 0.015f, stroke);
                break;
            }
            case ItemType.Eraser:
            {
                // A short, fat block half covered by a white paper sleeve with a dark band.
                var block = SKRect.Create(-0.25f, -0.14f, 0.50f, 0.28f);
                fill.Color = ToSkia(body);
                canvas.DrawRoundRect(block, 0.05f, 0.05f, fill);
                canvas.Save();
                using (var rounded = new SKPath())
                {
                    rounded.AddRoundRect(block, 0.05f, 0.05f);
                    canvas.ClipPath(rounded, antialias: true);
                }
                fill.Color = Paper;
                canvas.DrawRect(SKRect.Create(0.0f, -0.15f, 0.26f, 0.30f), fill);
                fill.Color = Ink;
                canvas.DrawRect(SKRect.Create(0.07f, -0.15f, 0.07f, 0.30f), fill);
                canvas.Restore();
                canvas.DrawLine(0.0f, -0.14f, 0.0f, 0.14f, stroke);
                canvas.DrawRoundRect(block, 0.05f, 0.05f, stroke);
                break;
            }
            case ItemType.Ruler:
            {
                // A long flat strip with tick marks along one edge, every other one longer.
                var strip = SKRect.Create(-0.44f, -0.085f, 0.88f, 0.17f);
                fill.Color = ToSkia(body);
                canvas.DrawRect(strip, fill);
                // Ticks in whichever of ink or paper stands out from the body, so they survive grayscale on dark plastic.
                using var tick = new SKPaint
                {
                    IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = outline,
                    Color = body.Luma > 0.62f ? Ink : Paper,
                };
                for (int i = 0; i <= 8; i++)
                {
                    float x = -0.36f + 0.09f * i;
                    canvas.DrawLine(x, -0.085f, x, i % 2 == 0 ? 0.01f : -0.035f, tick);
                }
                canvas.DrawRect(strip, stroke);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown item type");
        }
    }

    private static readonly SKColor Ink = new(45, 45, 50);
    private static readonly SKColor Wood = new(238, 205, 160);
    private static readonly SKColor Metal = new(175, 178, 185);
    private static readonly SKColor Paper = new(250, 250, 250);
    private static readonly SKColor Clear = new(228, 232, 236);   // a clear plastic barrel: light, slightly cool

    private static SKPath Polygon(params (float X, float Y)[] points)
    {
        var path = new SKPath();
        path.MoveTo(points[0].X, points[0].Y);
        foreach (var (x, y) in points.Skip(1)) path.LineTo(x, y);
        path.Close();
        return path;
    }

    private static Rgb Scale(Rgb c, float factor) => new(c.R * factor, c.G * factor, c.B * factor);

    private static SKColor ToSkia(Rgb c) => new(ToByte(c.R), ToByte(c.G), ToByte(c.B));

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);

}

/// <summary>How freely an item is placed: rotation up to ±<see cref="MaxRotationDegrees"/>, and the share (0..1) of
/// the possible shift, size and background-tint variation used. A 2-D autoencoder spends its two numbers on whatever varies most in
/// the pixels: with free poses that is the angle, so a latent space meant to show type and colour wants steady poses.</summary>
public sealed record DrawerPose(double MaxRotationDegrees, double PositionJitter, double ScaleJitter, double BackgroundJitter)
{
    public static readonly DrawerPose Free = new(180, 1, 1, 1);

    /// <summary>Near-centred items on a plain background: what varies is the item (and a little of its pose).</summary>
    public static DrawerPose Steady(double maxRotationDegrees) => new(maxRotationDegrees, 0.2, 0.3, 0);
}
