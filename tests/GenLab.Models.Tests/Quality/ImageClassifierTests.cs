using GenLab.Models.Drawer;
using GenLab.Models.Quality;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

[Collection(nameof(DrawerClassifierCollection))]
public sealed class ImageClassifierTests(DrawerClassifierFixture trained)
{
    private static readonly ImageClassifierConfig Tiny = new()
    {
        Channels = [8, 16], FeatureDim = 8, Epochs = 2, BatchSize = 16, MaxShift = 1,
    };

    [Fact]
    public void Train_OnTinyDrawerImages_NamesTheSixteenItems()
    {
        Assert.Equal(DrawerItem.All.Select(i => i.Name).Order(StringComparer.Ordinal), trained.Model.ClassNames);
        Assert.Equal(16 * 20, trained.Scores.TrainImages);
        Assert.Equal(16 * 4, trained.Scores.ValImages);
        Assert.True(trained.Scores.ValAccuracy >= 0.9, $"val accuracy {trained.Scores.ValAccuracy}");
        Assert.True(trained.Scores.TrainAccuracy >= 0.9, $"train accuracy {trained.Scores.TrainAccuracy}");
    }

    [Fact]
    public void Classify_GivesFeaturesAndProbabilities_AndRestoresTheMode()
    {
        using var scope = NewDisposeScope();
        var (images, _) = DrawerClassifierFixture.Drawer(countPerItem: 1, seed: 9);
        trained.Model.train();
        var (features, probabilities) = trained.Model.Classify(images, batchSize: 5);   // batches of 5, 5, 5, 1
        Assert.True(trained.Model.training);
        trained.Model.eval();
        Assert.Equal([16L, 64], features.shape);
        Assert.Equal([16L, 16], probabilities.shape);
        Assert.True(probabilities.sum(1).allclose(ones(16), atol: 1e-5));
        var (whole, _) = trained.Model.Classify(images);
        Assert.True(whole.allclose(features, atol: 1e-5), "features must not depend on how images are batched");
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(3, 16)]
    [InlineData(1, 28)]
    [InlineData(3, 64)]
    public void FeaturesAndLogits_HaveOneRowPerImage(int channels, int size)
    {
        using var scope = NewDisposeScope();
        using var model = new ImageClassifier(Tiny, channels, size, ["a", "b", "c"]);
        var images = rand(4, channels, size, size);
        Assert.Equal([4L, 8], model.Features(images).shape);
        Assert.Equal([4L, 3], model.call(images).shape);
    }

    [Fact]
    public void Constructor_IsSeeded_AndNormLayersStartAsIdentity()
    {
        using var a = new ImageClassifier(Tiny, 3, 16, ["a", "b"], initSeed: 4);
        using var b = new ImageClassifier(Tiny, 3, 16, ["a", "b"], initSeed: 4);
        using var c = new ImageClassifier(Tiny, 3, 16, ["a", "b"], initSeed: 5);
        var pa = a.named_parameters().ToList();
        var pb = b.named_parameters().ToList();
        Assert.All(pa.Zip(pb), p => Assert.True(p.First.parameter.allclose(p.Second.parameter, rtol: 0, atol: 0), p.First.name));
        Assert.False(a.named_parameters().First().parameter.allclose(c.named_parameters().First().parameter, rtol: 0, atol: 0));
        foreach (var norm in a.modules().OfType<BatchNorm2d>())
        {
            Assert.True(norm.weight!.eq(1).all().item<bool>());
            Assert.True(norm.bias!.eq(0).all().item<bool>());
        }
    }

    [Fact]
    public void Train_SameSeed_GivesTheSameNetwork()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = DrawerClassifierFixture.Drawer(countPerItem: 3, seed: 2);
        var (first, firstScores) = ImageClassifier.Train(images, labels, Tiny, seed: 3);
        var (second, secondScores) = ImageClassifier.Train(images, labels, Tiny, seed: 3);
        using (first)
        using (second)
        {
            Assert.Equal(firstScores with { TrainSeconds = 0 }, secondScores with { TrainSeconds = 0 });
            Assert.True(first.Classify(images).Probabilities.allclose(second.Classify(images).Probabilities, rtol: 0, atol: 0));
        }
    }

    [Fact]
    public void TrainClassifyAndMeasure_LeaveNoLiveTensors()
    {
        static long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var (images, labels) = DrawerClassifierFixture.Drawer(countPerItem: 2, seed: 6);
        using var _ = images;
        using (var warm = ImageClassifier.Train(images, labels, Tiny with { Epochs = 1 }, seed: 1).Model) SampleQuality.Measure(warm, images, images);
        // TorchSharp 0.107's Conv2d constructor itself leaves one live tensor per layer; count what a bare network leaves.
        long before = Live();
        using (new ImageClassifier(Tiny, 3, 16, [.. labels.Distinct()])) { }
        long perNetwork = Live() - before;
        long live = Live();

        var (model, _) = ImageClassifier.Train(images, labels, Tiny with { Epochs = 1 }, seed: 2);
        using (model)
        {
            SampleQuality.Measure(model, images, images, labels);
            var (features, probabilities) = model.Classify(images);
            features.Dispose();
            probabilities.Dispose();
        }
        Assert.Equal(live + perNetwork, Live());
    }

    [Fact]
    public void Classify_WrongChannelsSizeOrRange_SaysWhatItExpected()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => trained.Model.Classify(rand(2, 1, 16, 16)));
        Assert.Contains("(B, 3, 16, 16)", error.Message);
        Assert.Contains("(2, 1, 16, 16)", error.Message);
        error = Assert.Throws<ArgumentException>(() => trained.Model.Classify(rand(2, 3, 32, 32)));
        Assert.Contains("(B, 3, 16, 16)", error.Message);
        error = Assert.Throws<ArgumentException>(() => trained.Model.Classify(rand(2, 3, 16, 16) * 2 - 1));
        Assert.Contains("(x + 1) / 2", error.Message);
        Assert.Throws<ArgumentException>(() => trained.Model.Features(rand(3, 16, 16)));
    }

    [Fact]
    public void Train_BadLabels_AreRejectedBeforeTraining()
    {
        using var scope = NewDisposeScope();
        var images = rand(4, 3, 16, 16);
        var error = Assert.Throws<ArgumentException>(() => ImageClassifier.Train(images, ["a", "b", "a"], Tiny, 1));
        Assert.Contains("3 labels for 4 images", error.Message);
        error = Assert.Throws<ArgumentException>(() => ImageClassifier.Train(images, ["a", "b", "a", "c"], Tiny, 1, classNames: ["a", "b"]));
        Assert.Contains("'c'", error.Message);
        error = Assert.Throws<ArgumentException>(() => ImageClassifier.Train(images, ["a", "b", "a", "a"], Tiny, 1));
        Assert.Contains("class 'b' has 1 image", error.Message);
        error = Assert.Throws<ArgumentException>(() => new ImageClassifier(Tiny with { Channels = [8, 16, 32, 64, 128] }, 3, 16, ["a", "b"]));
        Assert.Contains("image size 16 must be between 32", error.Message);
        error = Assert.Throws<ArgumentException>(() => new ImageClassifier(Tiny with { FeatureDim = 1 }, 3, 16, ["a", "b"]));
        Assert.Contains("feature_dim", error.Message);
        Assert.Throws<ArgumentException>(() => new ImageClassifier(Tiny, 3, 16, ["a", "a"]));
    }
}
