using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>The memorisation check of a generator: each image's nearest training image by root-mean-square pixel
/// distance. A model that copies its training set puts its samples at distance ≈ 0 from some training image; what a
/// distance means is read against held-out real images, which are as close to the training set as new images of the
/// same kind can be (Carlini et al. 2023, "Extracting Training Data from Diffusion Models", use this test with a
/// stricter threshold).</summary>
public static class NearestTraining
{
    /// <param name="images">(M, C, S, S) in [0, 1].</param>
    /// <param name="training">(N, C, S, S) in [0, 1], the same C and S.</param>
    /// <returns>Per image: the RMS pixel distance to its nearest training image, and that image's index.</returns>
    public static (double[] Distances, long[] Indices) Find(Tensor images, Tensor training, int batchSize = 128)
    {
        if (images.dim() != 4 || training.dim() != 4 || !images.shape.Skip(1).SequenceEqual(training.shape.Skip(1)))
            throw new ArgumentException($"images ({string.Join(", ", images.shape)}) and training images ({string.Join(", ", training.shape)}) must be (N, C, S, S) of one shape");
        using var scope = NewDisposeScope();
        long m = images.shape[0], d = images.shape[1] * images.shape[2] * images.shape[3];
        var reference = training.reshape(training.shape[0], d).to(ScalarType.Float32);      // (N, D)
        var distances = new double[m];
        var indices = new long[m];
        for (long start = 0; start < m; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            var queries = images[TensorIndex.Slice(start, start + batchSize)].reshape(-1, d).to(ScalarType.Float32);   // (b, D)
            var (nearest, index) = cdist(queries, reference).min(1);                        // (b), (b)
            float[] l2 = nearest.data<float>().ToArray();
            long[] at = index.data<long>().ToArray();
            for (int i = 0; i < l2.Length; i++)
            {
                distances[start + i] = l2[i] / Math.Sqrt(d);                                // RMS per pixel value
                indices[start + i] = at[i];
            }
        }
        return (distances, indices);
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
