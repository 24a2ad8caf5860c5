using GenLab.Models.Quality;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

public sealed class PixelMetricsTests
{
    [Fact]
    public void Psnr_OfADifferenceOfPointOneEverywhere_Is20Db_AndInfiniteForIdenticalImages()
    {
        using var a = full([2, 3, 12, 12], 0.5f);
        using var b = full([2, 3, 12, 12], 0.6f);
        Assert.All(PixelMetrics.Psnr(a, b), p => Assert.Equal(20.0, p, 3));
        Assert.All(PixelMetrics.Psnr(a, a), p => Assert.True(double.IsPositiveInfinity(p)));
    }

    [Fact]
    public void Psnr_InAMask_CountsOnlyTheMaskedPixels()
    {
        using var a = zeros(1, 1, 12, 12);
        using var b = zeros(1, 1, 12, 12);
        b[0, 0, TensorIndex.Slice(0, 6)] = 0.1f;                                           // the top half differs by 0.1
        using var top = zeros(1, 1, 12, 12);
        top[0, 0, TensorIndex.Slice(0, 6)] = 1f;
        Assert.Equal(20.0, PixelMetrics.Psnr(a, b, top)[0], 3);
        Assert.Equal(10 * Math.Log10(1 / 0.005), PixelMetrics.Psnr(a, b)[0], 3);           // MSE 0.01 over half the pixels
        using var none = zeros(1, 1, 12, 12);
        Assert.Throws<ArgumentException>(() => PixelMetrics.Psnr(a, b, none));
    }

    [Fact]
    public void Ssim_IsOneForIdenticalImages_AndTheClosedFormForTwoFlatOnes()
    {
        using var a = full([1, 1, 16, 16], 0.5f);
        using var b = full([1, 1, 16, 16], 0.6f);
        double c1 = 0.01 * 0.01;
        Assert.Equal((2 * 0.5 * 0.6 + c1) / (0.25 + 0.36 + c1), PixelMetrics.Ssim(a, b)[0], 4);   // 0.98361
        using var g = new TorchSharp.torch.Generator(1);
        using var noise = rand([1, 3, 16, 16], generator: g);
        Assert.Equal(1.0, PixelMetrics.Ssim(noise, noise)[0], 6);
        Assert.Throws<ArgumentException>(() => PixelMetrics.Ssim(zeros(1, 1, 8, 8), zeros(1, 1, 8, 8)));
    }

    [Fact]
    public void RmsDistance_IsTheRootMeanSquareOverEveryValue()
    {
        using var a = zeros(1, 2, 4, 4);
        using var b = full([1, 2, 4, 4], 0.25f);
        Assert.Equal(0.25, PixelMetrics.RmsDistance(a, b)[0], 5);
    }
}
