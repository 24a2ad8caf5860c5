using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>The Fréchet distance between Gaussians fitted to two feature sets — the formula of FID (Heusel et al.
/// 2017, eq. 6; Dowson &amp; Landau 1982):
/// <c>d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½)</c>, in double precision.
/// <para>Σ₁Σ₂ is not symmetric, and a general matrix square root (scipy's <c>sqrtm</c> in pytorch-fid) can return
/// complex noise for nearly singular covariances. Only its trace is needed, and that comes from a symmetric matrix:
/// Σ₁Σ₂ = Σ₁^½ (Σ₁^½ Σ₂) has the eigenvalues of (Σ₁^½ Σ₂) Σ₁^½ = A (XY and YX share eigenvalues), and A = Σ₁^½ Σ₂ Σ₁^½
/// is symmetric positive semi-definite, so <c>Tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(A)</c>. Both square roots use a symmetric
/// eigen-decomposition; eigenvalues that rounding pushes slightly below zero are clamped to 0.</para>
/// <para>With N samples and F features the covariances have rank ≤ N − 1, and the estimate is biased upward for
/// small N (Bińkowski et al. 2018), so only distances computed from the same N are comparable.</para></summary>
public static class FrechetDistance
{
    /// <summary>d² between Gaussians fitted to the rows of <paramref name="a"/> and of <paramref name="b"/>.</summary>
    /// <param name="a">(N, F) features, N ≥ 2.</param>
    /// <param name="b">(M, F) features, M ≥ 2.</param>
    public static double Between(Tensor a, Tensor b)
    {
        CheckFeatures(a, nameof(a));
        CheckFeatures(b, nameof(b));
        if (a.shape[1] != b.shape[1])
            throw new ArgumentException($"feature sizes differ: a has {a.shape[1]} features per row, b has {b.shape[1]}", nameof(b));
        using var scope = NewDisposeScope();
        var (mean1, cov1) = Moments(a);
        var (mean2, cov2) = Moments(b);
        return FromMoments(mean1, cov1, mean2, cov2);
    }

    /// <summary>Mean and unbiased covariance (divided by N − 1, as <c>numpy.cov(rowvar=False)</c> in pytorch-fid).</summary>
    /// <param name="features">(N, F), N ≥ 2.</param>
    /// <returns>(F) mean and (F, F) covariance, float64 on the CPU. Caller owns both.</returns>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        CheckFeatures(features, nameof(features));
        using var scope = NewDisposeScope();
        var x = features.detach().to(ScalarType.Float64).cpu();              // (N, F)
        var mean = x.mean([0]);                                               // (F)
        var centred = x - mean;                                               // (N, F)
        var covariance = centred.T.matmul(centred) / (x.shape[0] - 1);        // (F, F)
        return (mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope());
    }

    /// <summary>d² between N(μ₁, Σ₁) and N(μ₂, Σ₂). Covariances must be symmetric positive semi-definite.</summary>
    /// <param name="mean1">(F)</param>
    /// <param name="cov1">(F, F)</param>
    /// <param name="mean2">(F)</param>
    /// <param name="cov2">(F, F)</param>
    /// <returns>d² ≥ 0 (a result that rounding makes negative is returned as 0).</returns>
    public static double FromMoments(Tensor mean1, Tensor cov1, Tensor mean2, Tensor cov2)
    {
        long f = mean1.shape[^1];
        if (mean1.dim() != 1 || mean2.dim() != 1 || mean2.shape[0] != f)
            throw new ArgumentException($"means must be vectors of one length, got ({Shape(mean1)}) and ({Shape(mean2)})", nameof(mean2));
        foreach (var (cov, name) in new[] { (cov1, nameof(cov1)), (cov2, nameof(cov2)) })
            if (cov.dim() != 2 || cov.shape[0] != f || cov.shape[1] != f)
                throw new ArgumentException($"{name} must be ({f}, {f}) to match the means, got ({Shape(cov)})", name);

        using var scope = NewDisposeScope();
        var m1 = mean1.detach().to(ScalarType.Float64).cpu();                 // (F)
        var m2 = mean2.detach().to(ScalarType.Float64).cpu();                 // (F)
        var s1 = cov1.detach().to(ScalarType.Float64).cpu();                  // (F, F)
        var s2 = cov2.detach().to(ScalarType.Float64).cpu();                  // (F, F)

        double meanTerm = (m1 - m2).square().sum().item<double>();
        var root1 = SymmetricSqrt(s1);                                        // (F, F) Σ₁^½
        var a = root1.matmul(s2).matmul(root1);                               // (F, F) Σ₁^½ Σ₂ Σ₁^½
        a = (a + a.T) / 2;                                                    // symmetric up to rounding; make it exact
        double traceRoot = linalg.eigvalsh(a).clamp_min(0).sqrt().sum().item<double>();
        double d = meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceRoot;
        return Math.Max(0, d);
    }

    /// <summary>V diag(√max(λ, 0)) Vᵀ of a symmetric matrix.</summary>
    private static Tensor SymmetricSqrt(Tensor symmetric)
    {
        var (values, vectors) = linalg.eigh((symmetric + symmetric.T) / 2);  // (F), (F, F)
        return (vectors * values.clamp_min(0).sqrt()).matmul(vectors.T);      // (F, F)
    }

    private static void CheckFeatures(Tensor x, string name)
    {
        if (x.dim() != 2 || x.shape[0] < 2 || x.shape[1] < 1)
            throw new ArgumentException($"expected (N, F) features with N >= 2, got ({Shape(x)})", name);
    }

    private static string Shape(Tensor x) => string.Join(", ", x.shape);
}
