using GenLab.Models.Data;
using GenLab.Models.Embeddings;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Embeddings;

public sealed class PcaTests
{
    /// <summary>200 points along the direction (3, 4)/5 around (10, −2), spread ±5, plus ±0.05 noise across it.</summary>
    private static Tensor PointsAlongThreeFour()
    {
        var rng = new SplitMix64(7);
        double Uniform() => (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));
        var values = new float[200 * 2];
        for (int i = 0; i < 200; i++)
        {
            double t = 10 * (Uniform() - 0.5), noise = 0.1 * (Uniform() - 0.5);
            values[2 * i] = (float)(10 + 0.6 * t - 0.8 * noise);
            values[2 * i + 1] = (float)(-2 + 0.8 * t + 0.6 * noise);
        }
        return tensor(values, [200, 2], ScalarType.Float32);
    }

    [Fact]
    public void Fit_FindsTheKnownPrincipalAxis_WithAPositiveSign()
    {
        using var x = PointsAlongThreeFour();
        using var pca = Pca.Fit(x, components: 2);
        Assert.Equal([2L, 2L], pca.Components.shape);
        Assert.Equal([200L, 2L], pca.Projected.shape);
        var first = pca.Components[0].data<float>().ToArray();
        // Largest loading (0.8) made positive, so exactly +(0.6, 0.8), not −(0.6, 0.8).
        Assert.Equal(0.6, first[0], 5e-3);   // the sample noise tilts the axis by about 0.001
        Assert.Equal(0.8, first[1], 5e-3);
        Assert.True(pca.ExplainedVarianceRatio[0] > 0.99, $"ratio {pca.ExplainedVarianceRatio[0]}");
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 1e-9);
        var mean = pca.Mean.data<float>().ToArray();
        Assert.Equal(10, mean[0], 0.5);
        Assert.Equal(-2, mean[1], 0.5);
    }

    [Fact]
    public void Fit_ProjectedIsCentred_AndTransformAgrees()
    {
        using var x = PointsAlongThreeFour();
        using var pca = Pca.Fit(x, components: 1);
        using var projectedMean = pca.Projected.mean([0]);
        Assert.Equal(0.0, projectedMean.item<float>(), 1e-4);
        using var again = pca.Transform(x);
        Assert.True(again.allclose(pca.Projected, rtol: 1e-5, atol: 1e-4));
    }

    [Fact]
    public void Fit_TooManyComponents_Throws()
    {
        using var x = PointsAlongThreeFour();
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(x, components: 3));
    }
}
