using SkiaSharp;

namespace GenLab.Reports.Figures;

/// <summary>Small images (PNG bytes) tiled into one PNG, upscaled with nearest neighbour so pixels stay crisp:
/// reconstruction grids, samples, decoded latent grids.</summary>
public static class ImageGrid
{
    public const int Gap = 2;

    public static byte[] Render(IReadOnlyList<byte[]> pngs, int columns, int scale)
    {
        if (pngs.Count == 0) throw new ArgumentException("no images to tile", nameof(pngs));
        if (columns < 1 || scale < 1) throw new ArgumentException("columns and scale must be >= 1");
        var bitmaps = pngs.Select(p => SKBitmap.Decode(p) ?? throw new ArgumentException("not a PNG image")).ToList();
        try
        {
            int cellWidth = bitmaps.Max(b => b.Width) * scale, cellHeight = bitmaps.Max(b => b.Height) * scale;
            int rows = (bitmaps.Count + columns - 1) / columns;
            int width = columns * cellWidth + (columns + 1) * Gap, height = rows * cellHeight + (rows + 1) * Gap;
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            var canvas = surface.Canvas;
            canvas.Clear(new SKColor(0x40, 0x40, 0x40));
            using var paint = new SKPaint { IsAntialias = false };
            for (int i = 0; i < bitmaps.Count; i++)
            {
                int x = Gap + (i % columns) * (cellWidth + Gap), y = Gap + (i / columns) * (cellHeight + Gap);
                using var image = SKImage.FromBitmap(bitmaps[i]);
                canvas.DrawImage(image, new SKRect(x, y, x + bitmaps[i].Width * scale, y + bitmaps[i].Height * scale),
                    new SKSamplingOptions(SKFilterMode.Nearest), paint);
            }
            using var snapshot = surface.Snapshot();
            using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
        finally
        {
            foreach (var b in bitmaps) b.Dispose();
        }
    }
}
