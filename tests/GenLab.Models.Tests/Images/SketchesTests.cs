using GenLab.Models.Images;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class SketchesTests
{
    [Fact]
    public void ColourBlobs_PaintTheForegroundWithItsMeanColour_OnTheBorderColour()
    {
        // A 16×16 white image with an 8×8 square, half red (1, 0, 0) and half dark red (0.5, 0, 0), in the middle.
        var pixels = new float[3 * 16 * 16];
        for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++)
        {
            bool inside = y is >= 4 and < 12 && x is >= 4 and < 12;
            float red = inside ? (x < 8 ? 1f : 0.5f) : 1f, rest = inside ? 0f : 1f;
            pixels[0 * 256 + y * 16 + x] = red;
            pixels[1 * 256 + y * 16 + x] = rest;
            pixels[2 * 256 + y * 16 + x] = rest;
        }
        using var image = tensor(pixels, [1, 3, 16, 16]);
        using var blob = Sketches.ColourBlobs(image);

        Assert.Equal(image.shape, blob.shape);
        float At(int c, int y, int x) => blob[0, c, y, x].item<float>();
        Assert.Equal(0.75f, At(0, 8, 8), 3);                 // the foreground's mean red
        Assert.Equal(0f, At(1, 8, 8), 3);
        Assert.Equal(1f, At(0, 0, 0), 3);                    // the background stays white
        Assert.Equal(1f, At(1, 15, 15), 3);
        // Flat inside: one colour for the whole blob, where the original had two.
        Assert.Equal(At(0, 6, 5), At(0, 6, 10), 5);
    }

    [Fact]
    public void ColourBlobs_OfAFlatImage_IsTheSameFlatImage()
    {
        using var flat = full([2, 1, 8, 8], 0.3f);
        using var blob = Sketches.ColourBlobs(flat);
        Assert.True((blob - flat).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void ColourBlobs_RejectSidesTheBlocksDoNotDivide()
    {
        using var odd = zeros(1, 1, 10, 10);
        Assert.Throws<ArgumentException>(() => Sketches.ColourBlobs(odd, coarseness: 4));
    }
}
