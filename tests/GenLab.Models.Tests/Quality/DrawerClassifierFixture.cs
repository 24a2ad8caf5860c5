using GenLab.Models.Drawer;
using GenLab.Models.Quality;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

/// <summary>One small classifier trained once on 16×16 drawer items (near-upright poses, 24 per item) and shared by
/// the tests that need a trained judge.</summary>
public sealed class DrawerClassifierFixture : IDisposable
{
    public static readonly ImageClassifierConfig Config = new()
    {
        Channels = [16, 32, 64], FeatureDim = 64, Epochs = 20, BatchSize = 32, Lr = 1e-2, MaxShift = 0,
    };

    public static readonly DrawerPose Pose = DrawerPose.Steady(30);

    public DrawerClassifierFixture()
    {
        var (images, labels) = Drawer(countPerItem: 24, seed: 5);
        using (images) (Model, Scores) = ImageClassifier.Train(images, labels, Config, seed: 1);
    }

    public ImageClassifier Model { get; }
    public ClassifierScores Scores { get; }

    public void Dispose() => Model.Dispose();

    /// <summary>Drawer items rendered as (N, 3, size, size) in [0, 1], with the item names as labels.</summary>
    public static (Tensor Images, string[] Labels) Drawer(int countPerItem, long seed, int size = 16, DrawerPose? pose = null)
    {
        var (images, items) = DrawerImages.Dataset(countPerItem, size, seed, pose: pose ?? Pose);
        using var scope = NewDisposeScope();
        return (stack(images.Select(i => i.ToTensor()).ToList(), 0).MoveToOuterDisposeScope(), [.. items.Select(i => i.Name)]);
    }
}

[CollectionDefinition(nameof(DrawerClassifierCollection))]
public sealed class DrawerClassifierCollection : ICollectionFixture<DrawerClassifierFixture>;
