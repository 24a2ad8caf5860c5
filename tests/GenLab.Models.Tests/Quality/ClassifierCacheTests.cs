using System.Text.Json.Nodes;
using GenLab.Models.Quality;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

public sealed class ClassifierCacheTests : IDisposable
{
    private static readonly ImageClassifierConfig Tiny = new()
    {
        Channels = [8, 16], FeatureDim = 8, Epochs = 1, BatchSize = 16, MaxShift = 0,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("genlab-classifier-cache-").FullName;
    private readonly Tensor _images;
    private readonly string[] _labels;

    public ClassifierCacheTests() => (_images, _labels) = DrawerClassifierFixture.Drawer(countPerItem: 3, seed: 11);

    public void Dispose()
    {
        _images.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private CachedClassifier Get(string dataset = "drawer 16px x3", long seed = 1, ImageClassifierConfig? config = null, Tensor? images = null) =>
        ClassifierCache.GetOrTrain(_root, dataset, seed, images ?? _images, _labels, config ?? Tiny);

    private Tensor Logits(ImageClassifier model)
    {
        using var noGrad = no_grad();
        return model.call(_images);
    }

    [Fact]
    public void GetOrTrain_SecondTime_ReadsTheCacheAndGivesIdenticalLogits()
    {
        using var scope = NewDisposeScope();
        var first = Get();
        var second = Get();
        using (first.Model)
        using (second.Model)
        {
            Assert.Equal(ClassifierCacheOutcome.Trained, first.Outcome);
            Assert.Equal(ClassifierCacheOutcome.Hit, second.Outcome);
            Assert.Null(second.Problem);
            Assert.Equal(first.Directory, second.Directory);
            Assert.Equal(Path.Combine(_root, "classifiers"), Path.GetDirectoryName(first.Directory));
            Assert.Equal(first.Scores, second.Scores);
            Assert.Equal(first.Model.ClassNames, second.Model.ClassNames);
            Assert.False(second.Model.training);
            Assert.True(Logits(first.Model).allclose(Logits(second.Model), rtol: 0, atol: 0));
        }
        Assert.Equal([ClassifierCache.ManifestFile, ClassifierCache.WeightsFile],
            Directory.GetFiles(first.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Single(Directory.GetDirectories(Path.Combine(_root, "classifiers")));   // no .tmp-* left behind
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(first.Directory, ClassifierCache.ManifestFile)))!;
        Assert.Equal("drawer 16px x3", (string?)manifest["dataset"]);
        Assert.Equal(16, manifest["class_names"]!.AsArray().Count);
        Assert.Equal(1, (int)manifest["config"]!["epochs"]!);
        Assert.Equal(first.Scores.ValAccuracy, (double)manifest["scores"]!["val_accuracy"]!);
    }

    [Fact]
    public void GetOrTrain_AnotherDatasetSeedConfigOrImages_IsAnotherEntry()
    {
        using var scope = NewDisposeScope();
        var entries = new[]
        {
            Get(), Get(dataset: "drawer 16px x3 v2"), Get(seed: 2), Get(config: Tiny with { Lr = 1e-2 }),
            Get(images: _images.flip(3)),
        };
        foreach (var entry in entries) entry.Model.Dispose();
        Assert.All(entries, e => Assert.Equal(ClassifierCacheOutcome.Trained, e.Outcome));
        Assert.Equal(entries.Length, entries.Select(e => e.Directory).Distinct().Count());
    }

    [Theory]
    [InlineData("weights-flipped-byte", "SHA-256")]
    [InlineData("weights-missing", "weights.bin is missing")]
    [InlineData("weights-garbage-rehashed", "does not load")]
    [InlineData("manifest-garbage", "manifest.json is unreadable")]
    [InlineData("manifest-missing", "no manifest.json")]
    [InlineData("format-version", "format version 0")]
    public void GetOrTrain_WhenTheEntryIsCorrupt_RetrainsAndReplacesIt(string corruption, string expectedProblem)
    {
        using var scope = NewDisposeScope();
        var first = Get();
        first.Model.Dispose();
        string weights = Path.Combine(first.Directory, ClassifierCache.WeightsFile);
        string manifestPath = Path.Combine(first.Directory, ClassifierCache.ManifestFile);
        switch (corruption)
        {
            case "weights-flipped-byte":
                byte[] bytes = File.ReadAllBytes(weights);
                bytes[^5] ^= 0xFF;
                File.WriteAllBytes(weights, bytes);
                break;
            case "weights-missing": File.Delete(weights); break;
            case "weights-garbage-rehashed":
                File.WriteAllBytes(weights, [1, 2, 3, 4, 5]);
                var node = JsonNode.Parse(File.ReadAllText(manifestPath))!;
                node["weights_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(weights)));
                File.WriteAllText(manifestPath, node.ToJsonString());
                break;
            case "manifest-garbage": File.WriteAllText(manifestPath, "{ not json"); break;
            case "manifest-missing": File.Delete(manifestPath); break;
            default:
                var old = JsonNode.Parse(File.ReadAllText(manifestPath))!;
                old["format_version"] = 0;
                File.WriteAllText(manifestPath, old.ToJsonString());
                break;
        }

        var rebuilt = Get();
        var again = Get();
        using (rebuilt.Model)
        using (again.Model)
        {
            Assert.Equal(ClassifierCacheOutcome.Retrained, rebuilt.Outcome);
            Assert.Contains(expectedProblem, rebuilt.Problem);
            Assert.Equal(first.Directory, rebuilt.Directory);
            Assert.Equal(ClassifierCacheOutcome.Hit, again.Outcome);
            Assert.True(Logits(rebuilt.Model).allclose(Logits(again.Model), rtol: 0, atol: 0));
        }
        Assert.Single(Directory.GetDirectories(Path.Combine(_root, "classifiers")));
    }

    [Fact]
    public void GetOrTrain_LabelsThatDoNotFitTheImages_Throw()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ClassifierCache.GetOrTrain(_root, "d", 1, _images, _labels[1..], Tiny));
        Assert.Contains("47 labels for 48 images", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "classifiers")));
    }
}
