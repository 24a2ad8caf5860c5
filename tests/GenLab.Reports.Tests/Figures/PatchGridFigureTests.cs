using GenLab.Reports.Figures;
using SkiaSharp;

namespace GenLab.Reports.Tests.Figures;

public sealed class PatchGridFigureTests
{
    private static byte[] Png(int width, int height, SKColorType type = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap)) canvas.Clear(new SKColor(40, 120, 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Theory]
    [InlineData(64, 64, 8, 6)]
    [InlineData(32, 48, 16, 2)]
    [InlineData(16, 16, 4, 1)]   // cells too small for numbers
    public void Render_IsAPng_OfTheScaledSize_PlusCaption(int width, int height, int patch, int scale)
    {
        byte[] figure = PatchGridFigure.Render(Png(width, height), patch, scale);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], figure.Take(4));
        using var decoded = SKBitmap.Decode(figure);
        Assert.Equal(width * scale, decoded.Width);
        Assert.Equal(height * scale + PatchGridFigure.CaptionHeight, decoded.Height);
    }

    [Fact]
    public void Render_KeepsPixelsCrisp_InsideACell()
    {
        byte[] figure = PatchGridFigure.Render(Png(16, 16), 8, 4);
        using var decoded = SKBitmap.Decode(figure);
        // Away from grid lines and the index tag, the upscaled colour is exactly the source colour.
        Assert.Equal(new SKColor(40, 120, 200), decoded.GetPixel(20, 20));
    }

    [Fact]
    public void Render_SizeNotDivisible_NamesTheSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => PatchGridFigure.Render(Png(30, 32), 8, 2));
        Assert.Contains("height 32", error.Message);
        Assert.Contains("width 30", error.Message);
    }
}
