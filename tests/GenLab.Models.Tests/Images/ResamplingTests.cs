using GenLab.Models.Images;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class ResamplingTests
{
    [Fact]
    public void Area_AveragesTheBlockEachOutputPixelCovers()
    {
        using var image = arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4) / 15;   // 0 … 1
        using var small = Resampling.Area(image, 2);
        float[] expected = [.. new[] { (0 + 1 + 4 + 5), (2 + 3 + 6 + 7), (8 + 9 + 12 + 13), (10 + 11 + 14 + 15) }.Select(s => s / 4f / 15)];
        Assert.Equal(expected, small.data<float>().ToArray(), new FloatComparer(1e-6f));
    }

    [Fact]
    public void Bicubic_KeepsAFlatImageFlat_AndClampsItsOvershoot()
    {
        using var flat = full([1, 3, 4, 4], 0.25f);
        using var big = Resampling.Bicubic(flat, 16);
        Assert.Equal([1L, 3, 16, 16], big.shape);
        Assert.True((big - 0.25f).abs().max().item<float>() < 1e-5f);

        using var edge = zeros(1, 1, 4, 4);
        edge[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(2, 4)] = 1f;   // a hard edge overshoots
        using var upscaled = Resampling.Bicubic(edge, 16);
        Assert.InRange(upscaled.min().item<float>(), 0f, 0f);
        Assert.InRange(upscaled.max().item<float>(), 1f, 1f);
    }

    [Fact]
    public void Resize_ShrinksByAreaAndGrowsByBicubic_AndCopiesTheRightSize()
    {
        using var image = rand(1, 1, 8, 8);
        using var same = Resampling.Resize(image, 8);
        Assert.Equal(image.data<float>().ToArray(), same.data<float>().ToArray());
        using var down = Resampling.Resize(image, 4);
        using var area = Resampling.Area(image, 4);
        Assert.Equal(area.data<float>().ToArray(), down.data<float>().ToArray());
        using var up = Resampling.Resize(image, 16);
        Assert.Equal([1L, 1, 16, 16], up.shape);
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
