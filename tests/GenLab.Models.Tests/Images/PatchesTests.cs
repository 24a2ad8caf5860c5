using GenLab.Models.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class PatchesTests
{
    [Fact]
    public void Patchify_TinyImage_GivesRowMajorPatches()
    {
        using var image = arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4);   // 0..15
        using var patches = Patches.Patchify(image, 2);
        Assert.Equal([1L, 4, 4], patches.shape);
        float[][] expected = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]];
        for (int n = 0; n < 4; n++)
        {
            using var row = patches[0, n];
            Assert.Equal(expected[n], row.data<float>().ToArray());
        }
    }

    [Fact]
    public void Patchify_OrdersValuesChannelThenRowThenColumn()
    {
        // Two channels of 2×2; one patch holds channel 0's four values, then channel 1's.
        using var image = arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2);
        using var patches = Patches.Patchify(image, 2);
        Assert.Equal([1L, 1, 8], patches.shape);
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7], patches.data<float>().ToArray());
    }

    [Fact]
    public void Patchify_Shape_IsBatchTokensPatchLength()
    {
        using var images = randn(2, 3, 32, 48);
        using var patches = Patches.Patchify(images, 8);
        Assert.Equal([2L, 4 * 6, 3 * 8 * 8], patches.shape);
        Assert.Equal(24, Patches.TokenCount(32, 48, 8));
    }

    [Fact]
    public void Unpatchify_InvertsPatchify()
    {
        using var images = randn(3, 3, 16, 24);
        using var patches = Patches.Patchify(images, 4);
        using var back = Patches.Unpatchify(patches, 4, 16, 24);
        Assert.Equal(images.shape, back.shape);
        Assert.True(back.allclose(images, rtol: 0, atol: 0));   // a pure rearrangement: exact
    }

    [Fact]
    public void Patchify_SizeNotDivisible_NamesTheSizes()
    {
        using var images = zeros(1, 3, 30, 32);
        var error = Assert.Throws<ArgumentException>(() => Patches.Patchify(images, 8));
        Assert.Contains("height 30", error.Message);
        Assert.Contains("width 32", error.Message);
        Assert.Contains("patch size 8", error.Message);
    }

    [Fact]
    public void TokenCount_Vit224_Is196() => Assert.Equal(196, Patches.TokenCount(224, 224, 16));

    [Fact]
    public void TokenCount_NotDivisible_Throws() =>
        Assert.Throws<ArgumentException>(() => Patches.TokenCount(225, 224, 16));
}
