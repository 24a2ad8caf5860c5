using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>How close an image is to a reference, pixel by pixel, per image: PSNR (optionally inside a mask), SSIM
/// (Wang et al. 2004) and the RMS distance. Images are (N, C, H, W) in [0, 1] (peak signal 1); the two sets are
/// paired by index. Used where the right answer is known: a super-resolved or inpainted image against the original.</summary>
public static class PixelMetrics
{
    /// <summary>SSIM's constants (Wang et al. 2004, §III-B): K₁ = 0.01, K₂ = 0.03, an 11×11 Gaussian window with
    /// σ = 1.5, applied without padding (the paper's MATLAB <c>filter2(..., 'valid')</c>).</summary>
    public const double K1 = 0.01, K2 = 0.03, WindowSigma = 1.5;
    public const int WindowSize = 11;

    /// <summary>Peak signal-to-noise ratio, 10 · log₁₀(1 / MSE) in dB, the MSE taken over every channel of the pixels
    /// where <paramref name="mask"/> is 1 (all pixels without one). Identical images give +∞; a difference of 0.1
    /// everywhere gives 20 dB.</summary>
    /// <param name="a">(N, C, H, W) in [0, 1].</param>
    /// <param name="b">(N, C, H, W) in [0, 1].</param>
    /// <param name="mask">(N or 1, 1, H, W) of 0 and 1, at least one 1.</param>
    public static double[] Psnr(Tensor a, Tensor b, Tensor? mask = null)
    {
        CheckPair(a, b);
        using var scope = NewDisposeScope();
        var squared = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).square();   // (N, C, H, W)
        Tensor mse;
        if (mask is null) mse = squared.mean([1, 2, 3]);                                  // (N)
        else
        {
            if (mask.dim() != 4 || mask.shape[1] != 1 || mask.shape[2] != a.shape[2] || mask.shape[3] != a.shape[3]
                || (mask.shape[0] != 1 && mask.shape[0] != a.shape[0]))
                throw new ArgumentException($"expected a mask (N or 1, 1, H, W), got ({string.Join(", ", mask.shape)})", nameof(mask));
            var weights = mask.to(ScalarType.Float64).expand(a.shape[0], a.shape[1], -1, -1);   // (N, C, H, W)
            var counted = weights.sum([1, 2, 3]);                                            // (N)
            if (counted.min().item<double>() <= 0) throw new ArgumentException("the mask selects no pixel", nameof(mask));
            mse = (squared * weights).sum([1, 2, 3]) / counted;                             // (N)
        }
        return [.. mse.data<double>().ToArray().Select(m => m == 0 ? double.PositiveInfinity : -10 * Math.Log10(m))];
    }

    /// <summary>Structural similarity, Wang et al. 2004 eq. 13, with L = 1:
    /// SSIM = (2μ_aμ_b + C₁)(2σ_ab + C₂) / ((μ_a² + μ_b² + C₁)(σ_a² + σ_b² + C₂)), C₁ = (K₁L)², C₂ = (K₂L)², with
    /// local means, variances and covariance under the Gaussian window, averaged over positions and channels (as
    /// scikit-image does for colour images). 1 for identical images; two flat images of values 0.5 and 0.6 give
    /// (2·0.5·0.6 + C₁) / (0.5² + 0.6² + C₁) = 0.98361.</summary>
    /// <param name="a">(N, C, H, W) in [0, 1], H and W at least 11.</param>
    /// <param name="b">(N, C, H, W) in [0, 1].</param>
    public static double[] Ssim(Tensor a, Tensor b)
    {
        CheckPair(a, b);
        if (a.shape[2] < WindowSize || a.shape[3] < WindowSize)
            throw new ArgumentException($"SSIM's {WindowSize}×{WindowSize} window needs images of at least that side, got {a.shape[2]}×{a.shape[3]}", nameof(a));
        using var scope = NewDisposeScope();
        long channels = a.shape[1];
        var window = GaussianWindow().expand(channels, 1, WindowSize, WindowSize).contiguous();   // (C, 1, 11, 11)
        Tensor Filter(Tensor x) => nn.functional.conv2d(x, window, groups: channels);             // (N, C, H−10, W−10)
        var x = a.to(ScalarType.Float64);
        var y = b.to(ScalarType.Float64);
        var muX = Filter(x);
        var muY = Filter(y);
        var varX = Filter(x * x) - muX * muX;
        var varY = Filter(y * y) - muY * muY;
        var covariance = Filter(x * y) - muX * muY;
        double c1 = K1 * K1, c2 = K2 * K2;
        var map = (2 * muX * muY + c1) * (2 * covariance + c2) / ((muX * muX + muY * muY + c1) * (varX + varY + c2));   // (N, C, H−10, W−10)
        return map.mean([1, 2, 3]).data<double>().ToArray();
    }

    /// <summary>Root-mean-square difference over every pixel value: 0 for identical images, at most 1.</summary>
    /// <param name="a">(N, C, H, W) in [0, 1].</param>
    /// <param name="b">(N, C, H, W) in [0, 1].</param>
    public static double[] RmsDistance(Tensor a, Tensor b)
    {
        CheckPair(a, b);
        using var scope = NewDisposeScope();
        var mse = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).square().mean([1, 2, 3]);   // (N)
        return mse.sqrt().data<double>().ToArray();
    }

    /// <summary>The mean of per-image values; +∞ when any is (PSNR of identical images).</summary>
    public static double Mean(IReadOnlyList<double> values) =>
        values.Count == 0 ? throw new ArgumentException("no values", nameof(values)) : values.Average();

    /// <returns>(1, 1, 11, 11) float64, summing to 1.</returns>
    private static Tensor GaussianWindow()
    {
        var weights = new double[WindowSize * WindowSize];
        int half = WindowSize / 2;
        for (int y = 0; y < WindowSize; y++)
        for (int x = 0; x < WindowSize; x++)
            weights[y * WindowSize + x] = Math.Exp(-((x - half) * (x - half) + (y - half) * (y - half)) / (2 * WindowSigma * WindowSigma));
        double total = weights.Sum();
        return tensor(weights.Select(w => w / total).ToArray(), [1, 1, WindowSize, WindowSize]);
    }

    private static void CheckPair(Tensor a, Tensor b)
    {
        if (a.dim() != 4 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"expected two (N, C, H, W) image sets of one shape, got ({string.Join(", ", a.shape)}) and ({string.Join(", ", b.shape)})");
    }
}
