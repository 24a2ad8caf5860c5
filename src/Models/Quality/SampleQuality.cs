using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>What a classifier trained on the real images says about a set of generated ones. Plain numbers and
/// lists, so it serialises as it is into a run's results JSON.</summary>
public sealed record SampleQualityReport
{
    public int GeneratedImages { get; init; }
    public int RealImages { get; init; }
    public double ConfidenceThreshold { get; init; }
    /// <summary>Share of generated images whose most probable class has probability ≥ the threshold: "looks like
    /// some class". Compare with <see cref="RealConfidentShare"/>, the same measure on real images.</summary>
    public double ConfidentShare { get; init; }
    public double RealConfidentShare { get; init; }
    /// <summary>Logit order of every histogram.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    /// <summary>Generated images per most probable class (all of them; sums to <see cref="GeneratedImages"/>).</summary>
    public IReadOnlyList<int> Histogram { get; init; } = [];
    /// <summary>The same over confident images only: mode collapse shows as a few tall bars and many empty ones.</summary>
    public IReadOnlyList<int> ConfidentHistogram { get; init; } = [];
    /// <summary>Real images per most probable class: what a faithful generator's histogram looks like.</summary>
    public IReadOnlyList<int> RealHistogram { get; init; } = [];
    /// <summary>Classes with at least one confident generated image.</summary>
    public int ClassesCovered { get; init; }
    /// <summary>Fréchet distance between real and generated images in the classifier's feature space.
    /// See <see cref="SampleQuality.FidLiteNote"/>: not Inception FID, and not comparable with it.</summary>
    public double FidLite { get; init; }
    /// <summary>FID-lite between the real images and a second, independent real set of as many images as were
    /// generated: what a perfect generator would score with this judge and this many images (FID-lite's floor).
    /// Null when no second real set was given.</summary>
    public double? FidLiteReal { get; init; }
    public int FeatureDim { get; init; }
    /// <summary>Text-to-image: share of generated images whose most probable class is the one their prompt asked
    /// for; null when no intended classes were given.</summary>
    public double? MatchShare { get; init; }
    public string Note { get; init; } = SampleQuality.FidLiteNote;
}

/// <summary>Judges generated images with an <see cref="ImageClassifier"/> trained on the real ones (the idea of
/// Inception Score and FID — Salimans et al. 2016, Heusel et al. 2017 — with a judge that knows this lab's classes).
/// <para>Pass real images the classifier was not trained on (freshly rendered ones), so that the real baselines are
/// honest. The number to read FID-lite against is what real images score: measure a second fresh real set of as
/// many images as were generated, as if it were generated. FID-lite grows with fewer images and with classes
/// represented in other proportions than in the real set — a generator that favours some classes is penalised even
/// when every image is perfect.</para></summary>
public static class SampleQuality
{
    public const string FidLiteNote = "FID-lite: Fréchet distance in the feature space of this lab's own small classifier, "
        + "trained on the real images of this dataset. It is not Inception FID: values are not comparable with published "
        + "FIDs, nor across classifiers, datasets or numbers of images. Lower is closer to the real images.";

    /// <param name="classifier">Trained on real images of the same dataset.</param>
    /// <param name="real">(N, C, S, S) real images in [0, 1], N ≥ 2.</param>
    /// <param name="generated">(M, C, S, S) generated images in [0, 1] (map diffusion samples with (x + 1) / 2), M ≥ 2.</param>
    /// <param name="intendedClasses">Text-to-image: the class each generated image was asked for, one per image.</param>
    /// <param name="threshold">Probability that counts as confident, in (0, 1]; 0.9 by default.</param>
    /// <param name="secondReal">(M, C, S, S) real images independent of <paramref name="real"/> — as many as were
    /// generated — for FID-lite's real-vs-real floor (<see cref="SampleQualityReport.FidLiteReal"/>).</param>
    public static SampleQualityReport Measure(ImageClassifier classifier, Tensor real, Tensor generated,
        IReadOnlyList<string>? intendedClasses = null, double threshold = 0.9, Tensor? secondReal = null)
    {
        if (threshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be in (0, 1]");
        if (real.dim() != 4 || real.shape[0] < 2)
            throw new ArgumentException($"expected at least 2 real images (N, C, S, S), got ({string.Join(", ", real.shape)})", nameof(real));
        if (generated.dim() != 4 || generated.shape[0] < 2)
            throw new ArgumentException($"expected at least 2 generated images (M, C, S, S), got ({string.Join(", ", generated.shape)})", nameof(generated));
        int m = (int)generated.shape[0], n = (int)real.shape[0], k = classifier.ClassNames.Count;
        int[]? intended = null;
        if (intendedClasses is not null)
        {
            if (intendedClasses.Count != m)
                throw new ArgumentException($"{intendedClasses.Count} intended classes for {m} generated images", nameof(intendedClasses));
            var index = classifier.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            intended = [.. intendedClasses.Select(c => index.TryGetValue(c, out int i) ? i
                : throw new ArgumentException($"intended class '{c}' is not one of the classifier's classes [{string.Join(", ", classifier.ClassNames)}]", nameof(intendedClasses)))];
        }

        using var scope = NewDisposeScope();
        var (realFeatures, realProbabilities) = classifier.Classify(real);            // (N, F), (N, K)
        var (features, probabilities) = classifier.Classify(generated);                // (M, F), (M, K)
        var (realConfidence, realPredicted) = MaxAndArgmax(realProbabilities);
        var (confidence, predicted) = MaxAndArgmax(probabilities);

        var histogram = new int[k];
        var confidentHistogram = new int[k];
        for (int i = 0; i < m; i++)
        {
            histogram[predicted[i]]++;
            if (confidence[i] >= threshold) confidentHistogram[predicted[i]]++;
        }
        var realHistogram = new int[k];
        foreach (long c in realPredicted) realHistogram[c]++;

        return new SampleQualityReport
        {
            GeneratedImages = m,
            RealImages = n,
            ConfidenceThreshold = threshold,
            ConfidentShare = (double)confidence.Count(p => p >= threshold) / m,
            RealConfidentShare = (double)realConfidence.Count(p => p >= threshold) / n,
            ClassNames = classifier.ClassNames,
            Histogram = histogram,
            ConfidentHistogram = confidentHistogram,
            RealHistogram = realHistogram,
            ClassesCovered = confidentHistogram.Count(c => c > 0),
            FidLite = FrechetDistance.Between(realFeatures, features),
            FidLiteReal = secondReal is null ? null : FrechetDistance.Between(realFeatures, classifier.Classify(secondReal).Features),
            FeatureDim = classifier.FeatureDim,
            MatchShare = intended is null ? null : (double)Enumerable.Range(0, m).Count(i => predicted[i] == intended[i]) / m,
        };
    }

    private static (float[] Max, long[] Argmax) MaxAndArgmax(Tensor probabilities)
    {
        using var scope = NewDisposeScope();
        var (max, argmax) = probabilities.max(1);                                      // (B), (B)
        return (max.data<float>().ToArray(), argmax.data<long>().ToArray());
    }
}
