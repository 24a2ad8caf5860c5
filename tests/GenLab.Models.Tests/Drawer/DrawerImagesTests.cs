using GenLab.Models.Data;
using GenLab.Models.Drawer;

namespace GenLab.Models.Tests.Drawer;

public sealed class DrawerImagesTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(28)]
    [InlineData(32)]
    [InlineData(64)]
    public void Render_SameGeneratorState_GivesIdenticalPixels_InUnitRange(int size)
    {
        foreach (var item in DrawerItem.All)
        {
            var a = DrawerImages.Render(item, size, new SplitMix64(11));
            var b = DrawerImages.Render(item, size, new SplitMix64(11));
            Assert.Equal((size, size, 3), (a.Width, a.Height, a.Channels));
            Assert.Equal(a.Pixels, b.Pixels);
            Assert.All(a.Pixels, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Fact]
    public void Render_DifferentItems_FromTheSameState_Differ()
    {
        var images = DrawerItem.All.Select(item => DrawerImages.Render(item, 32, new SplitMix64(5), noiseStd: 0)).ToList();
        for (int i = 0; i < images.Count; i++)
        for (int j = i + 1; j < images.Count; j++)
            Assert.NotEqual(images[i].Pixels, images[j].Pixels);
    }

    [Fact]
    public void Render_ColorShowsInTheHue()
    {
        // Mean of each channel over the pixels that are clearly saturated (the item, not the pale background).
        var red = MeanSaturated(DrawerImages.Render(new DrawerItem(ItemType.Eraser, ItemColor.Red), 32, new SplitMix64(2), 0));
        var blue = MeanSaturated(DrawerImages.Render(new DrawerItem(ItemType.Eraser, ItemColor.Blue), 32, new SplitMix64(2), 0));
        Assert.True(red.R > red.B + 0.3, $"red item: {red}");
        Assert.True(blue.B > blue.R + 0.3, $"blue item: {blue}");
    }

    [Fact]
    public void Dataset_IsBalanced_Shuffled_AndDeterministicPerSeed()
    {
        var (images, labels) = DrawerImages.Dataset(countPerItem: 3, size: 28, seed: 42);
        Assert.Equal(48, images.Count);
        Assert.Equal(48, labels.Count);
        Assert.All(DrawerItem.All, item => Assert.Equal(3, labels.Count(l => l == item)));
        Assert.NotEqual(DrawerItem.All.SelectMany(i => Enumerable.Repeat(i, 3)), labels);   // not in generation order

        var (again, againLabels) = DrawerImages.Dataset(3, 28, 42);
        Assert.Equal(labels, againLabels);
        for (int i = 0; i < images.Count; i++) Assert.Equal(images[i].Pixels, again[i].Pixels);

        var (_, otherLabels) = DrawerImages.Dataset(3, 28, 43);
        Assert.NotEqual(labels, otherLabels);
    }

    [Fact]
    public void Dataset_Grayscale_HasOneChannel()
    {
        var (images, _) = DrawerImages.Dataset(1, 32, seed: 1, grayscale: true);
        Assert.All(images, image => Assert.Equal((1, 32 * 32), (image.Channels, image.Pixels.Length)));
    }

    [Fact]
    public void Sheet_IsAFourByFourGrid()
    {
        var sheet = DrawerImages.Sheet(32, seed: 1);
        Assert.Equal(4 * 32 + 5 * 2, sheet.Width);
        Assert.Equal(3, sheet.Channels);
    }

    [Fact]
    public void Render_SizeBelowMinimum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DrawerImages.Render(DrawerItem.All[0], 8, new SplitMix64(1)));

    private static (float R, float G, float B) MeanSaturated(GenLab.Models.Images.ImageData image)
    {
        int plane = image.Width * image.Height;
        float r = 0, g = 0, b = 0;
        int count = 0;
        for (int i = 0; i < plane; i++)
        {
            float pr = image.Pixels[i], pg = image.Pixels[plane + i], pb = image.Pixels[2 * plane + i];
            if (Math.Max(pr, Math.Max(pg, pb)) - Math.Min(pr, Math.Min(pg, pb)) < 0.4f) continue;
            r += pr; g += pg; b += pb; count++;
        }
        Assert.True(count > 20, $"only {count} saturated pixels");
        return (r / count, g / count, b / count);
    }
}
