using static TorchSharp.torch;

namespace GenLab.Models.Embeddings;

/// <summary>A fitted PCA: the data's mean, the top-k principal axes and the data projected on them. Owns its tensors.</summary>
/// <param name="Projected">(N, k) coordinates of each centred row on the components: the 2-D plot of the embeddings.</param>
/// <param name="Components">(k, D) unit principal axes, largest variance first.</param>
/// <param name="Mean">(D) the mean that was subtracted; <see cref="Transform"/> subtracts it from new rows too.</param>
/// <param name="ExplainedVarianceRatio">Share of the total variance along each component, descending, summing to ≤ 1.</param>
public sealed record PcaResult(Tensor Projected, Tensor Components, Tensor Mean, double[] ExplainedVarianceRatio) : IDisposable
{
    /// <summary>(M, D) → (M, k) in the same coordinates as <see cref="Projected"/>. Caller owns the result.</summary>
    public Tensor Transform(Tensor x)
    {
        using var scope = NewDisposeScope();
        var centred = x.to(Components.dtype) - Mean;                   // (M, D)
        return centred.mm(Components.t()).MoveToOuterDisposeScope();   // (M, k)
    }

    public void Dispose()
    {
        Projected.Dispose();
        Components.Dispose();
        Mean.Dispose();
    }
}

/// <summary>Principal component analysis by SVD of the centred data (Pearson 1901; the SVD route as in scikit-learn's
/// PCA): for X − μ = U S Vᵀ, the rows of Vᵀ are the principal axes and S²/(N − 1) the variances along them.</summary>
public static class Pca
{
    /// <summary>Fits <paramref name="components"/> axes to the rows of <paramref name="x"/> (N, D). SVD runs in float64
    /// for accuracy; the results come back in x's floating dtype. Each axis's sign is fixed so that its
    /// largest-magnitude loading is positive — SVD's sign is arbitrary, and without this a plot could flip between runs.</summary>
    public static PcaResult Fit(Tensor x, int components)
    {
        if (x.dim() != 2)
            throw new ArgumentException($"x must be (N, D), got shape ({string.Join(", ", x.shape)})", nameof(x));
        long n = x.shape[0], dims = x.shape[1];
        if (n < 2) throw new ArgumentException($"PCA needs at least 2 rows, got {n}", nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        if (components > Math.Min(n, dims))
            throw new ArgumentOutOfRangeException(nameof(components), components, $"must be ≤ min(N, D) = {Math.Min(n, dims)}");
        var dtype = is_floating_point(x) ? x.dtype : ScalarType.Float32;

        using var scope = NewDisposeScope();
        // 1. Centre: PCA describes variance around the mean, not around the origin.
        var data = x.detach().to(ScalarType.Float64);                     // (N, D)
        var mean = data.mean([0]);                                        // (D)
        var centred = data - mean;                                        // (N, D)

        // 2. Thin SVD: centred = U diag(S) Vh, singular values descending.
        var (_, s, vh) = linalg.svd(centred, fullMatrices: false);       // S (r), Vh (r, D), r = min(N, D)
        var axes = vh[..components];                                      // (k, D)

        // 3. Deterministic sign: flip each axis so its largest |loading| is positive.
        var largest = axes.abs().argmax(1, keepdim: true);                // (k, 1)
        var signs = axes.gather(1, largest).sign();                       // (k, 1)
        signs = where(signs == 0, ones_like(signs), signs);              // an all-zero axis keeps +1
        axes = axes * signs;                                              // (k, D)

        // 4. Project, and the variance ratio S_i² / Σ S².
        var projected = centred.mm(axes.t());                             // (N, k)
        var variance = s.square();                                        // (r)
        double total = variance.sum().item<double>();
        var ratio = variance[..components].contiguous().data<double>().ToArray();
        for (int i = 0; i < ratio.Length; i++) ratio[i] = total > 0 ? ratio[i] / total : 0;

        return new PcaResult(
            projected.to(dtype).MoveToOuterDisposeScope(),
            axes.to(dtype).MoveToOuterDisposeScope(),
            mean.to(dtype).MoveToOuterDisposeScope(),
            ratio);
    }
}
