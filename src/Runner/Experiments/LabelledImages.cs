using GenLab.Models.Data;
using GenLab.Models.Images;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary>The images an <see cref="ImageDatasetConfig"/> names, split once by the seed into training and validation
/// images with their labels (and, for the drawer, colours): what the autoencoder and VAE labs train on and draw.</summary>
internal sealed class LabelledImages : IDisposable
{
    private LabelledImages(Tensor train, Tensor val, string[] trainLabels, string[] valLabels, string[]? trainColors, string[]? valColors)
    {
        Train = train;
        Val = val;
        TrainLabels = trainLabels;
        ValLabels = valLabels;
        TrainColors = trainColors;
        ValColors = valColors;
    }

    /// <summary>(N, C, H, W) in [0, 1].</summary>
    public Tensor Train { get; }
    /// <summary>(M, C, H, W) in [0, 1].</summary>
    public Tensor Val { get; }
    public string[] TrainLabels { get; }
    public string[] ValLabels { get; }
    public string[]? TrainColors { get; }
    public string[]? ValColors { get; }
    public int Channels => (int)Train.shape[1];
    public int Size => (int)Train.shape[2];

    /// <summary>val_fraction of the images (at least one, and at least one left to train on) go to validation, chosen
    /// by a shuffle of the "split" stream of <paramref name="seed"/>.</summary>
    public static LabelledImages Load(ImageDatasetConfig data, long seed)
    {
        var (images, labels, colors) = ImageDatasetLoader.Load(data, seed);       // (N, C, H, W)
        using (images)
        {
            int n = (int)images.shape[0];
            if (n < 2) throw new InvalidDataException($"{n} image(s): a training/validation split needs at least 2");
            int valCount = Math.Clamp((int)Math.Round(n * data.ValFraction), 1, n - 1);
            var order = Enumerable.Range(0, n).ToList();
            SplitMix64.ForPurpose(seed, "split").Shuffle(order);
            var trainOrder = order.Skip(valCount).ToArray();
            var valOrder = order.Take(valCount).ToArray();
            using var trainIndex = tensor(trainOrder.Select(i => (long)i).ToArray());
            using var valIndex = tensor(valOrder.Select(i => (long)i).ToArray());
            return new LabelledImages(images.index_select(0, trainIndex), images.index_select(0, valIndex),
                [.. trainOrder.Select(i => labels[i])], [.. valOrder.Select(i => labels[i])],
                colors is null ? null : [.. trainOrder.Select(i => colors[i])],
                colors is null ? null : [.. valOrder.Select(i => colors[i])]);
        }
    }

    /// <summary><paramref name="batchSize"/> rows of <paramref name="data"/> drawn uniformly with replacement.</summary>
    /// <returns>(B, C, H, W), owned by the caller's scope.</returns>
    public static Tensor Batch(Tensor data, SplitMix64 rng, int batchSize)
    {
        using var index = tensor(Rows(data.shape[0], rng, batchSize));
        return data.index_select(0, index);                                        // (B, C, H, W)
    }

    /// <summary>Whether the batch <see cref="Batch"/> would draw holds a NaN or ±Infinity.</summary>
    public static bool BatchHasNonFinite(Tensor data, SplitMix64 rng, int batchSize)
    {
        using var batch = Batch(data, rng, batchSize);                            // (B, C, H, W)
        using var finite = batch.isfinite().all();
        return !finite.item<bool>();
    }

    /// <summary><paramref name="batchSize"/> row numbers below <paramref name="count"/>, uniform with replacement.</summary>
    public static long[] Rows(long count, SplitMix64 rng, int batchSize)
    {
        var rows = new long[batchSize];
        for (int i = 0; i < batchSize; i++) rows[i] = rng.NextInt64(count);
        return rows;
    }

    public void Dispose()
    {
        Train.Dispose();
        Val.Dispose();
    }
}
