using GenLab.Models.Quality;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

public sealed class FrechetDistanceTests
{
    private static Tensor Matrix(double[,] values) => tensor(values, ScalarType.Float64);

    [Fact]
    public void Between_IdenticalSets_IsZero()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var x = randn([200, 16], generator: generator);                      // (N, F), full-rank covariance
        var few = randn([5, 16], generator: generator);                      // N < F: rank-deficient covariance
        Assert.Equal(0, FrechetDistance.Between(x, x), 9);
        Assert.Equal(0, FrechetDistance.Between(few, few), 9);
    }

    [Fact]
    public void FromMoments_DiagonalGaussians_IsMeanGapPlusSquaredStdGaps()
    {
        // Diagonal Σ commute: d² = ‖Δμ‖² + Σᵢ (σ₁ᵢ − σ₂ᵢ)² = (3² + 4²) + ((1 − 2)² + (2 − 3)²) = 27.
        using var scope = NewDisposeScope();
        double d = FrechetDistance.FromMoments(
            tensor(new[] { 0.0, 0.0 }), Matrix(new double[,] { { 1, 0 }, { 0, 4 } }),
            tensor(new[] { 3.0, 4.0 }), Matrix(new double[,] { { 4, 0 }, { 0, 9 } }));
        Assert.Equal(27, d, 10);
    }

    [Fact]
    public void FromMoments_CorrelatedGaussians_MatchesScipyAndMpmath()
    {
        // Golden number: numpy 1.24 / scipy 1.10 with pytorch-fid's formula
        //   sum((m1-m2)**2) + trace(s1) + trace(s2) - 2*trace(scipy.linalg.sqrtm(s1 @ s2)).real  = 3.832871368084131
        // and mpmath.sqrtm at 50 digits = 3.8328713680841340899.
        using var scope = NewDisposeScope();
        double d = FrechetDistance.FromMoments(
            tensor(new[] { 1.0, 2.0, 0.0 }),
            Matrix(new double[,] { { 2, 0.5, 0.3 }, { 0.5, 1, 0.2 }, { 0.3, 0.2, 1.5 } }),
            tensor(new[] { 0.0, 1.0, 1.0 }),
            Matrix(new double[,] { { 1, -0.4, 0 }, { -0.4, 2, 0.6 }, { 0, 0.6, 0.8 } }));
        Assert.Equal(3.8328713680841341, d, 12);
    }

    [Fact]
    public void Between_SmallSamples_MatchesNumpyCovAndScipySqrtm()
    {
        // Golden number: the same two sets through numpy.mean(0), numpy.cov(rowvar=False) (N − 1) and the scipy
        // formula above = 0.7924186479202655 (mpmath, 50 digits: 0.79241864792026335855).
        using var scope = NewDisposeScope();
        var a = Matrix(new double[,]
        {
            { 0.1, 1.2, -0.5 }, { 0.7, 0.3, 0.2 }, { -1.1, 0.8, 0.9 }, { 0.4, -0.6, 1.3 }, { 1.5, 0.2, -0.7 }, { 0.0, 1.1, 0.4 },
        });
        var b = Matrix(new double[,]
        {
            { 1.0, 0.5, 0.5 }, { 0.2, -0.3, 1.1 }, { 0.9, 1.4, -0.2 }, { -0.5, 0.1, 0.3 }, { 1.3, 0.9, 0.8 }, { 0.6, -0.8, 0.0 },
            { 0.3, 0.2, 0.6 },
        });
        Assert.Equal(0.79241864792026336, FrechetDistance.Between(a, b), 12);
        Assert.Equal(0.79241864792026336, FrechetDistance.Between(b, a), 12);
        Assert.Equal(0.79241864792026336, FrechetDistance.Between(a.to(ScalarType.Float32), b.to(ScalarType.Float32)), 6);
    }

    [Fact]
    public void Between_ShiftedCopy_IsTheSquaredShift()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var x = randn([100, 8], dtype: ScalarType.Float64, generator: generator);   // (N, F)
        Assert.Equal(8 * 0.25, FrechetDistance.Between(x, x + 0.5), 9);
    }

    [Fact]
    public void Between_BadShapes_SayWhatTheyExpected()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => FrechetDistance.Between(zeros(4, 3), zeros(4, 5)));
        Assert.Contains("a has 3 features per row, b has 5", error.Message);
        error = Assert.Throws<ArgumentException>(() => FrechetDistance.Between(zeros(1, 3), zeros(4, 3)));
        Assert.Contains("N >= 2", error.Message);
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between(zeros(4), zeros(4, 3)));
        Assert.Throws<ArgumentException>(() => FrechetDistance.FromMoments(zeros(3), zeros(3, 3), zeros(3), zeros(2, 2)));
    }
}
