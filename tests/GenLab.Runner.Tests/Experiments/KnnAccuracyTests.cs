using GenLab.Runner.Experiments;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>The k-NN accuracy behind the autoencoder and VAE expectations, on points whose answer is worked out by hand.</summary>
public sealed class KnnAccuracyTests
{
    // Training points on a line: a at 0, 1, 2 and b at 10, 11, 12.
    private static readonly double[,] Train = { { 0 }, { 1 }, { 2 }, { 10 }, { 11 }, { 12 } };
    private static readonly string[] TrainLabels = ["a", "a", "a", "b", "b", "b"];

    [Fact]
    public void ThreeNeighbours_KnownAnswer()
    {
        // 0.4 → a ✓; 10.6 → b ✓; 1.9 labelled b → a ✗; 6.0 labelled a: nearest 2 and 10 (both 4 away), then 1 and 11
        // (both 5 away; ties go to the earlier training point, 1) → a, a, b → a ✓. Three of four.
        double[,] val = { { 0.4 }, { 10.6 }, { 1.9 }, { 6.0 } };
        Assert.Equal(0.75, LatentFigures.KnnAccuracy(Train, TrainLabels, val, ["a", "b", "b", "a"], k: 3), 12);
    }

    [Fact]
    public void OneNeighbour_IsTheNearestPointsLabel()
    {
        double[,] val = { { 9.0 }, { 3.0 } };
        Assert.Equal(1.0, LatentFigures.KnnAccuracy(Train, TrainLabels, val, ["b", "a"], k: 1));
        Assert.Equal(0.0, LatentFigures.KnnAccuracy(Train, TrainLabels, val, ["a", "b"], k: 1));
    }

    [Fact]
    public void AllNeighbours_VoteTheMajority_EvenForAPointInsideTheMinority()
    {
        // k = 5 around 11: b, b, b are nearest, then a (2) and a (1): b wins 3 to 2.
        double[,] train = { { 0 }, { 1 }, { 2 }, { 10 }, { 11 }, { 12 } };
        Assert.Equal(1.0, LatentFigures.KnnAccuracy(train, TrainLabels, new double[,] { { 11 } }, ["b"], k: 5));
        // With two dimensions: L2, not L1 — (3, 4) is 5 from the origin, (0, 6) is 6.
        double[,] plane = { { 3, 4 }, { 0, 6 } };
        Assert.Equal(1.0, LatentFigures.KnnAccuracy(plane, ["x", "y"], new double[,] { { 0, 0 } }, ["x"], k: 1));
    }
}
