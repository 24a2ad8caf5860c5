using System.Diagnostics;
using GenLab.Models.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>How well a trained <see cref="ImageClassifier"/> knows its dataset: accuracy (in eval mode, without
/// augmentation) on the images it trained on and on the held-out ones, and what training cost.</summary>
public sealed record ClassifierScores(double TrainAccuracy, double ValAccuracy, int TrainImages, int ValImages,
    int Epochs, double TrainSeconds);

/// <summary>A small CNN that names the class of a procedural image (drawer item, digit): stages of 3×3 conv →
/// BatchNorm → ReLU → 2×2 max-pool, a global average pool, a penultimate layer of <see cref="FeatureDim"/> ReLU units
/// (<see cref="Features"/>, the space FID-lite measures in) and a linear head to one logit per class.
/// <para>BatchNorm (Ioffe &amp; Szegedy 2015): in eval mode — which <see cref="Classify"/> always uses — it applies
/// the running statistics of the real training images, so an image's features never depend on which other images
/// share its batch, and generated samples are judged by exactly the network that was validated. (GroupNorm, which
/// has no train/eval difference at all, was tried first: with it this small network did not learn the drawer —
/// the loss stayed at ln 16 — presumably because normalising each image's groups removes its mean colour.)</para>
/// <para>Inputs are (B, C, S, S) images with values in [0, 1], as <see cref="Images.ImageData"/> holds them; a
/// diffusion model's samples in [−1, 1] must be mapped with (x + 1) / 2 by the caller. The network is
/// size-agnostic (global pooling), but checks that images have the channels and side it was trained on.</para></summary>
public sealed class ImageClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly Linear feature;
    private readonly Linear head;

    /// <param name="config">Architecture; validated here (the training keys are not used by the network).</param>
    /// <param name="imageChannels">1 (gray) or 3 (RGB).</param>
    /// <param name="imageSize">Side S of the square images; at least 2^(number of stages).</param>
    /// <param name="classNames">One name per output logit, in logit order; at least two, all distinct.</param>
    /// <param name="initSeed">Seeds the initial weights (torch's global generator is not touched).</param>
    public ImageClassifier(ImageClassifierConfig config, int imageChannels, int imageSize, IReadOnlyList<string> classNames,
        long initSeed = 0)
        : base(nameof(ImageClassifier))
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        if (imageChannels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(imageChannels), imageChannels, "must be 1 (gray) or 3 (RGB)");
        int minSide = 1 << Math.Min(config.Channels.Count, 16);
        if (imageSize < minSide || imageSize > 1024)
            throw new ArgumentException($"image size {imageSize} must be between {minSide} and 1024: each of the "
                + $"{config.Channels.Count} stages in channels [{string.Join(", ", config.Channels)}] halves the side", nameof(imageSize));
        if (classNames.Count < 2) throw new ArgumentException("a classifier needs at least two classes", nameof(classNames));
        TensorMemory.ForConvolutions();
        if (classNames.Distinct(StringComparer.Ordinal).Count() != classNames.Count)
            throw new ArgumentException($"class names must be distinct: [{string.Join(", ", classNames)}]", nameof(classNames));
        Config = config;
        ImageChannels = imageChannels;
        ImageSize = imageSize;
        ClassNames = [.. classNames];

        var layers = new List<nn.Module<Tensor, Tensor>>();
        int inChannels = imageChannels;
        foreach (int c in config.Channels)
        {
            layers.Add(nn.Conv2d(inChannels, c, kernel_size: 3, padding: 1));      // (B, c, s, s)
            layers.Add(nn.BatchNorm2d(c));
            layers.Add(nn.ReLU());
            layers.Add(nn.MaxPool2d(2));                                            // (B, c, s/2, s/2)
            inChannels = c;
        }
        layers.Add(nn.AdaptiveAvgPool2d(1));                                        // (B, c, 1, 1)
        layers.Add(nn.Flatten());                                                   // (B, c)
        body = nn.Sequential(layers);
        feature = nn.Linear(inChannels, config.FeatureDim);
        head = nn.Linear(config.FeatureDim, classNames.Count);
        RegisterComponents();
        using var generator = new Generator((ulong)initSeed);
        ResetParameters(generator);
    }

    public ImageClassifierConfig Config { get; }
    public int ImageChannels { get; }
    public int ImageSize { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int FeatureDim => Config.FeatureDim;

    /// <param name="x">(B, C, S, S) images in [0, 1].</param>
    /// <returns>(B, feature_dim) penultimate activations. Caller owns it; <paramref name="x"/> is not disposed.</returns>
    public Tensor Features(Tensor x)
    {
        CheckImages(x, nameof(x));
        using var scope = NewDisposeScope();
        return nn.functional.relu(feature.call(body.call(x))).MoveToOuterDisposeScope();   // (B, F)
    }

    /// <param name="x">(B, C, S, S) images in [0, 1].</param>
    /// <returns>(B, classes) logits.</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(Features(x)).MoveToOuterDisposeScope();                   // (B, K)
    }

    /// <summary>Features and softmax probabilities of any number of images, in eval mode without gradients, in
    /// batches (the module's mode is restored afterwards).</summary>
    /// <param name="images">(N, C, S, S) in [0, 1], on any device.</param>
    /// <returns>(N, feature_dim) features and (N, classes) probabilities, float32 on the CPU. Caller owns both.</returns>
    public (Tensor Features, Tensor Probabilities) Classify(Tensor images, int batchSize = 256)
    {
        CheckImages(images, nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (images.shape[0] == 0) throw new ArgumentException("no images to classify", nameof(images));
        var (min, max) = Range(images);
        if (min < -0.01 || max > 1.01)
            throw new ArgumentException($"images must have values in [0, 1], these span [{min:0.###}, {max:0.###}]; "
                + "map samples in [-1, 1] with (x + 1) / 2 first", nameof(images));
        bool wasTraining = training;
        var device = parameters().First().device;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var features = new List<Tensor>();
            var probabilities = new List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                var batch = images[TensorIndex.Slice(start, start + batchSize)].to(ScalarType.Float32).to(device);   // (b, C, S, S)
                var f = Features(batch);                                                                         // (b, F)
                features.Add(f.cpu());
                probabilities.Add(nn.functional.softmax(head.call(f), 1).cpu());                                 // (b, K)
            }
            return (cat(features, 0).MoveToOuterDisposeScope(), cat(probabilities, 0).MoveToOuterDisposeScope());
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Trains a classifier from scratch on labelled real images. Everything random — initial weights,
    /// the stratified train/val split, batch order, augmentation shifts, outlier images — derives from
    /// <paramref name="seed"/>, so the same inputs give the same network on the same machine and thread count.</summary>
    /// <param name="images">(N, C, S, S) in [0, 1].</param>
    /// <param name="labels">One class name per image.</param>
    /// <param name="classNames">Logit order; by default the distinct labels in ordinal order.</param>
    /// <param name="log">Receives one line per epoch.</param>
    public static (ImageClassifier Model, ClassifierScores Scores) Train(Tensor images, IReadOnlyList<string> labels,
        ImageClassifierConfig config, long seed, IReadOnlyList<string>? classNames = null, Action<string>? log = null)
    {
        if (images.dim() != 4 || images.shape[2] != images.shape[3])
            throw new ArgumentException($"expected (N, C, S, S) square images, got ({string.Join(", ", images.shape)})", nameof(images));
        if (labels.Count != images.shape[0])
            throw new ArgumentException($"{labels.Count} labels for {images.shape[0]} images", nameof(labels));
        classNames ??= [.. labels.Distinct().Order(StringComparer.Ordinal)];
        var classOf = classNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        if (labels.FirstOrDefault(l => !classOf.ContainsKey(l)) is { } unknown)
            throw new ArgumentException($"label '{unknown}' is not one of the class names [{string.Join(", ", classNames)}]", nameof(labels));
        int[] y = [.. labels.Select(l => classOf[l])];
        var stopwatch = Stopwatch.StartNew();

        // 1. Stratified split: the same share of every class is held out, so each class is measured.
        var (trainIndices, valIndices) = Split(y, classNames, config.ValFraction, seed);

        // 2. Network with weights from its own generator, not torch's global one.
        var model = new ImageClassifier(config, (int)images.shape[1], (int)images.shape[2], classNames, initSeed: seed);
        var device = images.device;
        model.to(device);
        using var targets = tensor(y, ScalarType.Int64, device);                  // (N)
        using var optimizer = optim.AdamW(model.parameters(), lr: config.Lr, weight_decay: config.WeightDecay);

        // 3. Epochs of shuffled mini-batches; the learning rate follows a cosine from lr to 0 (Loshchilov & Hutter 2017).
        var batchRng = SplitMix64.ForPurpose(seed, "classifier-batches");
        var shiftRng = SplitMix64.ForPurpose(seed, "classifier-shifts");
        using var outlierGenerator = new Generator(SplitMix64.ForPurpose(seed, "classifier-outliers").NextUInt64(), device);
        int stepsPerEpoch = (trainIndices.Count + config.BatchSize - 1) / config.BatchSize, totalSteps = stepsPerEpoch * config.Epochs;
        var order = trainIndices.ToList();
        model.train();
        for (int epoch = 0, step = 0; epoch < config.Epochs; epoch++)
        {
            batchRng.Shuffle(order);
            double lossSum = 0;
            for (int start = 0; start < order.Count; start += config.BatchSize, step++)
            {
                using var scope = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups) group.LearningRate = config.Lr * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps));
                var index = tensor(order.GetRange(start, Math.Min(config.BatchSize, order.Count - start)).ToArray(), ScalarType.Int64, device);
                var x = Shift(images.index_select(0, index).to(ScalarType.Float32), config.MaxShift, shiftRng);   // (b, C, S, S)
                optimizer.zero_grad();
                var loss = config.OutlierWeight == 0
                    ? nn.functional.cross_entropy(model.call(x), targets.index_select(0, index))
                    : OutlierExposureLoss(model, x, targets.index_select(0, index), config.OutlierWeight, outlierGenerator);
                loss.backward();
                optimizer.step();
                lossSum += loss.ToSingle();
            }
            if (log is not null)
                log($"classifier epoch {epoch + 1}/{config.Epochs}: loss {lossSum / stepsPerEpoch:0.0000}, "
                    + $"val accuracy {model.Accuracy(images, y, valIndices):0.000}");
        }

        // 4. Accuracies in eval mode on unaugmented images.
        var scores = new ClassifierScores(model.Accuracy(images, y, trainIndices), model.Accuracy(images, y, valIndices),
            trainIndices.Count, valIndices.Count, config.Epochs, stopwatch.Elapsed.TotalSeconds);
        return (model, scores);
    }

    /// <summary>Share of the images at <paramref name="indices"/> whose most probable class is their label.</summary>
    private double Accuracy(Tensor images, int[] y, IReadOnlyList<int> indices)
    {
        using var scope = NewDisposeScope();
        var (_, probabilities) = Classify(images.index_select(0, tensor(indices.ToArray(), ScalarType.Int64, images.device)));
        long[] predicted = probabilities.argmax(1).data<long>().ToArray();
        return (double)indices.Where((index, i) => predicted[i] == y[index]).Count() / indices.Count;
    }

    private static (List<int> Train, List<int> Val) Split(int[] y, IReadOnlyList<string> classNames, double valFraction, long seed)
    {
        var rng = SplitMix64.ForPurpose(seed, "classifier-split");
        List<int> train = [], val = [];
        for (int c = 0; c < classNames.Count; c++)
        {
            var members = Enumerable.Range(0, y.Length).Where(i => y[i] == c).ToList();
            if (members.Count < 2)
                throw new ArgumentException($"class '{classNames[c]}' has {members.Count} image(s); each class needs at least 2 (one to train, one to validate)");
            rng.Shuffle(members);
            int held = Math.Clamp((int)Math.Round(valFraction * members.Count), 1, members.Count - 1);
            val.AddRange(members.Take(held));
            train.AddRange(members.Skip(held));
        }
        train.Sort();
        val.Sort();
        return (train, val);
    }

    /// <summary>Outlier Exposure (Hendrycks, Mazeika &amp; Dietterich 2019, eq. 1): cross-entropy on the batch plus
    /// λ × the cross-entropy between the uniform distribution and the predictions for images that are no class, so
    /// that junk from a poor generator is not judged "confidently a pencil" (a plain softmax classifier called 58 % of
    /// uniform-noise images confident in our tests). The outliers, b/2 per batch of b, are uniform noise, smooth
    /// colour fields (4×4 noise upsampled) and the batch's own images with their pixels shuffled (right colours, no
    /// shape). They share the batch, so BatchNorm's running statistics are those of the mixed batches the network
    /// was trained on.</summary>
    /// <returns>Scalar loss.</returns>
    private static Tensor OutlierExposureLoss(ImageClassifier model, Tensor x, Tensor y, double weight, Generator generator)
    {
        long b = x.shape[0], c = x.shape[1], side = x.shape[2];
        long n = Math.Max(3, b / 2), third = n / 3, shuffled = n - 2 * third;
        var noise = rand([third, c, side, side], device: x.device, generator: generator);                    // (n/3, C, S, S)
        var fields = nn.functional.interpolate(rand([third, c, 4, 4], device: x.device, generator: generator),
            [side, side], mode: InterpolationMode.Bilinear, align_corners: false);                           // (n/3, C, S, S)
        var permutation = randperm(side * side, device: x.device, generator: generator);                     // (S·S)
        var scrambled = x[TensorIndex.Slice(0, shuffled)].flatten(2).index_select(2, permutation)
            .view(shuffled, c, side, side);                                                                    // (n/3, C, S, S)
        var logits = model.call(cat([x, noise, fields, scrambled], 0));                                      // (b + n, K)
        var inDistribution = nn.functional.cross_entropy(logits[TensorIndex.Slice(0, b)], y);
        var towardsUniform = -nn.functional.log_softmax(logits[TensorIndex.Slice(b, null)], 1).mean();
        return inDistribution + weight * towardsUniform;
    }

    /// <summary>Moves each image by its own random (dx, dy) ∈ [−max, max]² pixels (bilinear, edge pixels repeated),
    /// through one affine grid for the whole batch.</summary>
    private static Tensor Shift(Tensor x, double maxShift, SplitMix64 rng)
    {
        if (maxShift == 0) return x;
        long b = x.shape[0], side = x.shape[2];
        var theta = new float[b * 6];
        for (long i = 0; i < b; i++)
        {
            // affine_grid works in [−1, 1] coordinates: a shift of d pixels is 2d / S.
            theta[6 * i] = 1;
            theta[6 * i + 2] = (float)(2 * maxShift * (2 * rng.NextDouble() - 1) / side);
            theta[6 * i + 4] = 1;
            theta[6 * i + 5] = (float)(2 * maxShift * (2 * rng.NextDouble() - 1) / side);
        }
        var grid = nn.functional.affine_grid(tensor(theta, [b, 2, 3], device: x.device), [.. x.shape], align_corners: false);   // (b, S, S, 2)
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false); // (b, C, S, S)
    }

    /// <summary>PyTorch's default initialisation, U(−1/√fan_in, 1/√fan_in) for conv and linear weights and biases,
    /// drawn from <paramref name="generator"/>; BatchNorm starts as the identity (scale 1, shift 0, running mean 0,
    /// variance 1) — set explicitly, because TorchSharp 0.107 leaves some norm layers' parameters uninitialised
    /// (GroupNorm's held whatever was in memory).</summary>
    private void ResetParameters(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is BatchNorm2d norm)
            {
                norm.reset_parameters();
                continue;
            }
            var (weight, bias) = module switch
            {
                Conv2d conv => (conv.weight, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            double bound = 1 / Math.Sqrt(weight.shape.Skip(1).Aggregate(1L, (a, d) => a * d));
            weight.uniform_(-bound, bound, generator);
            bias?.uniform_(-bound, bound, generator);
        }
    }

    private void CheckImages(Tensor x, string name)
    {
        if (x.dim() != 4 || x.shape[1] != ImageChannels || x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            throw new ArgumentException(
                $"expected images of shape (B, {ImageChannels}, {ImageSize}, {ImageSize}) — the shape this classifier was "
                + $"trained on — got ({string.Join(", ", x.shape)})", name);
    }

    private static (double Min, double Max) Range(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x.min().to(ScalarType.Float64).item<double>(), x.max().to(ScalarType.Float64).item<double>());
    }
}
