using SkiaSharp;

namespace GenLab.Reports.Figures;

/// <summary>"An image becomes a sequence of patch tokens" (Dosovitskiy et al. 2021, ViT §3.1): the image blown up
/// with its P×P patch grid drawn over it, each patch numbered in reading order — the token's position in the
/// sequence — and a caption with the arithmetic. Works on PNG bytes so that Reports needs nothing from Models.</summary>
public static class PatchGridFigure
{
    /// <summary>Height in pixels of the caption strip under the image.</summary>
    public const int CaptionHeight = 28;

    /// <summary>Patches drawn smaller than this (in output pixels) get no index numbers: they would not be legible.</summary>
    public const int MinNumberedPatchPixels = 20;

    private static readonly SKTypeface Typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;

    /// <param name="imagePng">The image; gray PNGs count as one channel, everything else as three (alpha ignored).</param>
    /// <param name="patchSize">P, in image pixels; must divide both the width and the height.</param>
    /// <param name="scale">Each image pixel becomes a scale×scale block (nearest neighbour, so pixels stay crisp).</param>
    /// <returns>A PNG of (w·scale) × (h·scale + <see cref="CaptionHeight"/>).</returns>
    public static byte[] Render(byte[] imagePng, int patchSize, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        using var codec = SKCodec.Create(new MemoryStream(imagePng))
            ?? throw new ArgumentException("not a decodable image (SkiaSharp found no codec for these bytes)", nameof(imagePng));
        int channels = codec.Info.ColorType == SKColorType.Gray8 ? 1 : 3;
        using var source = SKBitmap.Decode(codec)
            ?? throw new ArgumentException("image decoding failed", nameof(imagePng));
        int w = source.Width, h = source.Height;
        if (w % patchSize != 0 || h % patchSize != 0)
            throw new ArgumentException(
                $"image height {h} and width {w} must both be divisible by the patch size {patchSize}", nameof(patchSize));

        int cols = w / patchSize, rows = h / patchSize, cell = patchSize * scale;
        int outW = w * scale, outH = h * scale;
        using var output = new SKBitmap(new SKImageInfo(outW, outH + CaptionHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(output))
        {
            canvas.Clear(SKColors.White);
            using (var image = SKImage.FromBitmap(source))
                canvas.DrawImage(image, new SKRect(0, 0, outW, outH), new SKSamplingOptions(SKFilterMode.Nearest));
            DrawGrid(canvas, cols, rows, cell, outW, outH);
            if (cell >= MinNumberedPatchPixels) DrawIndices(canvas, cols, rows, cell);
            string caption = $"{patchSize}×{patchSize} patches → {cols * rows} tokens of " +
                             $"{channels}·{patchSize}·{patchSize} = {channels * patchSize * patchSize} values";
            DrawCaption(canvas, caption, outW, outH);
        }
        using var data = output.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>White 1-px lines with a dark translucent edge on each side, so the grid shows on light and dark
    /// images alike; on small cells only the white line, so the grid does not hide the pixels.</summary>
    private static void DrawGrid(SKCanvas canvas, int cols, int rows, int cell, int outW, int outH)
    {
        using var dark = new SKPaint { Color = new SKColor(0, 0, 0, 150), IsAntialias = false };
        using var light = new SKPaint { Color = SKColors.White, IsAntialias = false };
        bool halo = cell >= 12;
        for (int k = 0; k <= cols; k++)
        {
            int x = Math.Min(k * cell, outW - 1);   // the right border sits on the last column
            if (halo) canvas.DrawRect(new SKRect(x - 1, 0, x + 2, outH), dark);
            canvas.DrawRect(new SKRect(x, 0, x + 1, outH), light);
        }
        for (int k = 0; k <= rows; k++)
        {
            int y = Math.Min(k * cell, outH - 1);
            if (halo) canvas.DrawRect(new SKRect(0, y - 1, outW, y + 2), dark);
            canvas.DrawRect(new SKRect(0, y, outW, y + 1), light);
        }
    }

    /// <summary>Each patch's token index (row-major, from 0) in its top-left corner, white on a dark tag.</summary>
    private static void DrawIndices(SKCanvas canvas, int cols, int rows, int cell)
    {
        using var font = new SKFont(Typeface, Math.Min(12f, cell * 0.3f)) { Edging = SKFontEdging.Antialias };
        using var tag = new SKPaint { Color = new SKColor(0, 0, 0, 170), IsAntialias = true };
        using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
        font.MeasureText("0", out var digit);
        float textHeight = digit.Height, pad = 2;
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
        {
            string label = (r * cols + c).ToString(System.Globalization.CultureInfo.InvariantCulture);
            float left = c * cell + 2, top = r * cell + 2;
            float width = font.MeasureText(label);
            canvas.DrawRoundRect(new SKRect(left, top, left + width + 2 * pad, top + textHeight + 2 * pad), 2, 2, tag);
            canvas.DrawText(label, left + pad, top + pad + textHeight, SKTextAlign.Left, font, ink);
        }
    }

    /// <summary>One line at up to 14 px; a figure too narrow for that at 10 px gets the caption on two lines
    /// (split before "of"), shrunk further only if even those do not fit.</summary>
    private static void DrawCaption(SKCanvas canvas, string caption, int outW, int outH)
    {
        const float MaxSize = 14, MinOneLineSize = 10, LineGap = 1.15f;
        float room = outW - 8;
        using var font = new SKFont(Typeface, MaxSize) { Edging = SKFontEdging.Antialias };
        string[] lines = [caption];
        if (font.MeasureText(caption) * MinOneLineSize / MaxSize > room)
        {
            int split = caption.IndexOf(" of ", StringComparison.Ordinal);
            lines = [caption[..split], caption[(split + 1)..]];
            font.Size = Math.Min(MaxSize, (CaptionHeight - 4) / (2 * LineGap));
        }
        float widest = lines.Max(l => font.MeasureText(l));
        if (widest > room) font.Size *= room / widest;

        using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true };
        font.MeasureText("0", out var digit);   // cap height, for vertical centring
        float lineHeight = font.Size * LineGap;
        float firstBaseline = outH + CaptionHeight / 2f - (lines.Length - 1) * lineHeight / 2 + digit.Height / 2;
        for (int i = 0; i < lines.Length; i++)
            canvas.DrawText(lines[i], outW / 2f, firstBaseline + i * lineHeight, SKTextAlign.Center, font, ink);
    }
}
