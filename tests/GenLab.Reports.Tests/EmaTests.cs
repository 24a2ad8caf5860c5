namespace GenLab.Reports.Tests;

public class EmaTests
{
    [Fact]
    public void Debiased_OneZeroZeroWithHalfWeight_MatchesHandComputation()
    {
        // s1 = 0.5 / (1-0.5) = 1; s2 = 0.25 / (1-0.25) = 1/3; s3 = 0.125 / (1-0.125) = 1/7.
        double[] smoothed = Ema.Debiased([1, 0, 0], 0.5);
        Assert.Equal([1.0, 1.0 / 3, 1.0 / 7], smoothed, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Debiased_ConstantSeries_StaysConstantFromTheFirstPoint()
    {
        double[] smoothed = Ema.Debiased([2.5, 2.5, 2.5, 2.5], 0.9);
        Assert.All(smoothed, s => Assert.Equal(2.5, s, 1e-12));
    }

    [Fact]
    public void Debiased_ZeroWeight_ReturnsRawValues()
    {
        Assert.Equal([3.0, 1.0, 2.0], Ema.Debiased([3, 1, 2], 0));
    }

    [Fact]
    public void Debiased_EvenSteps_MatchesPerPointForm()
    {
        double[] values = [4, 3.5, 3.7, 3.1, 2.9];
        Assert.Equal(Ema.Debiased(values, 0.9), Ema.Debiased([0, 5, 10, 15, 20], values, 0.9, 5), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Debiased_GapOfTwoIntervals_SquaresTheWeight()
    {
        // Step 10 is two 5-step intervals after step 0, so its weight is 0.5² = 0.25:
        // last = 0.5·0.25 + 0.75·0 = 0.125; debias 1 − 0.5·0.25 = 0.875; 0.125 / 0.875 = 1/7.
        double[] smoothed = Ema.Debiased([0, 10], [1, 0], 0.5, 5);
        Assert.Equal([1.0, 1.0 / 7], smoothed, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Debiased_Empty_ReturnsEmpty() => Assert.Empty(Ema.Debiased([], 0.9));

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Validate_WhenSmoothingOutsideZeroToOne_Throws(double smoothing)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReportOptions { Smoothing = smoothing }.Validate());
    }
}
