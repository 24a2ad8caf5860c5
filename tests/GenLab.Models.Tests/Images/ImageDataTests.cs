using GenLab.Models.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class ImageDataTests
{
    [Fact]
    public void Png_RoundTrip_KeepsScenePixels()
    {
        var image = ShapeRenderer.Scene(40, seed: 11);   // rendered from 8-bit pixels, so exactly representable
        var back = ImageData.FromPng(image.ToPng());
        Assert.Equal((image.Width, image.Height, image.Channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Png_RoundTrip_KeepsEveryEightBitLevel(int channels)
    {
        // 256 levels in a 16×16 image (gray), or shifted per channel (RGB).
        var pixels = new float[channels * 256];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (i * 37 % 256) / 255f;
        var image = new ImageData(16, 16, channels, pixels);
        string path = Path.Combine(Path.GetTempPath(), $"img-{Guid.NewGuid():N}.png");
        try
        {
            image.SavePng(path);
            var back = ImageData.FromPng(path);
            Assert.Equal(channels, back.Channels);
            Assert.Equal(pixels, back.Pixels);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ToTensor_IsChannelMajor()
    {
        var image = new ImageData(2, 1, 3, [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]);
        using var t = image.ToTensor();
        Assert.Equal([3L, 1, 2], t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(0.4f, t[1, 0, 1].item<float>());   // channel 1 (G), row 0, column 1
        var back = ImageData.FromTensor(t);
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Fact]
    public void Constructor_WrongPixelCount_SaysWhatItNeeds()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageData(4, 4, 3, new float[10]));
        Assert.Contains("needs 48", error.Message);
    }
}
