using GenLab.Models.Quality;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

public sealed class NearestTrainingTests
{
    [Fact]
    public void FindsTheNearestImage_AndItsRootMeanSquareDistance()
    {
        // Three 1×2×2 training images: all 0, all 1, all 0.5. A copy of the second is 0 away; an image of 0.9s is
        // 0.1 (RMS) from the all-1 image; 0.2s are 0.2 from all-0.
        using var training = tensor(new float[] { 0, 0, 0, 0, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f }).reshape(3, 1, 2, 2);
        using var images = tensor(new float[] { 1, 1, 1, 1, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.2f, 0.2f, 0.2f }).reshape(3, 1, 2, 2);
        var (distances, indices) = NearestTraining.Find(images, training, batchSize: 2);
        Assert.Equal([1L, 1L, 0L], indices);
        Assert.Equal(0.0, distances[0], 6);
        Assert.Equal(0.1, distances[1], 5);
        Assert.Equal(0.2, distances[2], 5);
    }

    [Fact]
    public void Median_OddAndEven() 
    {
        Assert.Equal(2.0, NearestTraining.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, NearestTraining.Median([4.0, 1.0, 2.0, 3.0]));
    }

    [Fact]
    public void RefusesImagesOfAnotherShape()
    {
        using var a = zeros(2, 1, 4, 4);
        using var b = zeros(2, 3, 4, 4);
        Assert.Throws<ArgumentException>(() => NearestTraining.Find(a, b));
    }
}
