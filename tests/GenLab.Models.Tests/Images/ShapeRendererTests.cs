using GenLab.Models.Data;
using GenLab.Models.Images;

namespace GenLab.Models.Tests.Images;

public sealed class ShapeRendererTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public void Scene_SameSeed_GivesIdenticalPixels_OfTheRequestedSize(int size)
    {
        var a = ShapeRenderer.Scene(size, seed: 7);
        var b = ShapeRenderer.Scene(size, seed: 7);
        Assert.Equal((size, size, 3), (a.Width, a.Height, a.Channels));
        Assert.Equal(3 * size * size, a.Pixels.Length);
        Assert.Equal(a.Pixels, b.Pixels);
    }

    [Fact]
    public void Scene_DifferentSeeds_GiveDifferentImages()
    {
        var images = Enumerable.Range(0, 5).Select(seed => ShapeRenderer.Scene(32, seed)).ToList();
        for (int i = 0; i < images.Count; i++)
        for (int j = i + 1; j < images.Count; j++)
            Assert.NotEqual(images[i].Pixels, images[j].Pixels);
    }

    [Fact]
    public void Render_WithNoise_StaysInUnitRange_AndIsDeterministic()
    {
        var spec = new ShapeSpec { NoiseStd = 0.2f, Texts = ["8"] };
        var a = ShapeRenderer.Render(spec, 48, new SplitMix64(3));
        var b = ShapeRenderer.Render(spec, 48, new SplitMix64(3));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.All(a.Pixels, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(a.Pixels, v => v is > 0f and < 1f);
    }

    [Fact]
    public void Render_Grayscale_GivesOneChannel()
    {
        var image = ShapeRenderer.Render(new ShapeSpec { Grayscale = true, Kinds = [ShapeKind.Star] }, 28, new SplitMix64(1));
        Assert.Equal(1, image.Channels);
        Assert.Equal(28 * 28, image.Pixels.Length);
    }

    [Fact]
    public void Draw_ACircle_FillsItsCentre_AndLeavesTheCornersBackground()
    {
        var red = new Rgb(1, 0, 0);
        var layout = new SceneLayout(new Rgb(1, 1, 1), [new Shape(ShapeKind.Circle, 0.5f, 0.5f, 0.25f, 0, red)], null, 0, 0);
        var image = ShapeRenderer.Draw(layout, 32);
        Assert.Equal((1f, 0f, 0f), (image[0, 16, 16], image[1, 16, 16], image[2, 16, 16]));
        Assert.Equal((1f, 1f, 1f), (image[0, 0, 0], image[1, 0, 0], image[2, 0, 0]));
    }

    [Fact]
    public void Sample_TextFromTheSpec_IsInTheLayout()
    {
        var layout = ShapeRenderer.Sample(new ShapeSpec { Texts = ["hi"], MinShapes = 2, MaxShapes = 2 }, new SplitMix64(5));
        Assert.Equal("hi", layout.Text?.Text);
        Assert.Equal(2, layout.Shapes.Count);
    }

    [Fact]
    public void Render_InvalidSpec_NamesTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ShapeRenderer.Render(new ShapeSpec { MinShapes = 3, MaxShapes = 1 }, 32, new SplitMix64(0)));
        Assert.Contains("max_shapes", error.Message);
    }
}
