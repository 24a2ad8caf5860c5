using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Quality;

/// <summary>How <see cref="ClassifierCache.GetOrTrain"/> got its classifier.</summary>
public enum ClassifierCacheOutcome
{
    /// <summary>Read from a valid cache entry; nothing was trained.</summary>
    Hit,
    /// <summary>No entry existed; trained and cached.</summary>
    Trained,
    /// <summary>An entry existed but was unreadable or did not verify (see <see cref="CachedClassifier.Problem"/>);
    /// trained again and the entry replaced. Worth a warning in the run's log.</summary>
    Retrained,
}

/// <param name="Model">The classifier, on the CPU, in eval mode. Caller disposes it.</param>
/// <param name="Scores">Accuracies and training time from when it was trained (also on a hit).</param>
/// <param name="Directory">The cache entry, <c>&lt;root&gt;/classifiers/&lt;key&gt;/</c>.</param>
/// <param name="Problem">Why the old entry was rejected, for <see cref="ClassifierCacheOutcome.Retrained"/>.</param>
public sealed record CachedClassifier(ImageClassifier Model, ClassifierScores Scores, string Directory,
    ClassifierCacheOutcome Outcome, string? Problem);

/// <summary>What <c>manifest.json</c> of a cache entry records: everything to rebuild the network and to see what it
/// was trained on.</summary>
public sealed record ClassifierManifest
{
    public int FormatVersion { get; init; }
    public string Key { get; init; } = "";
    public string Dataset { get; init; } = "";
    public long Seed { get; init; }
    public int ImageChannels { get; init; }
    public int ImageSize { get; init; }
    public int Images { get; init; }
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public ImageClassifierConfig Config { get; init; } = new();
    public ClassifierScores? Scores { get; init; }
    public string DataSha256 { get; init; } = "";
    public string WeightsSha256 { get; init; } = "";
    public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>Trains the quality classifier of a dataset once and reuses it: a run that measures generated samples
/// should not spend a minute retraining the same judge, and two runs compared side by side must use the same judge.
/// <para>Entries live in <c>&lt;cacheRoot&gt;/classifiers/&lt;key&gt;/</c> (<c>weights.bin</c> + <c>manifest.json</c>),
/// beside the token caches of <see cref="Language.TokenStream"/> — the runner passes the same root
/// (<c>$GENLAB_CACHE</c>, else <c>&lt;temp&gt;/genlab-cache</c>). The key is the SHA-256 of the caller's dataset
/// description, the seed, the image shape, the class names, the classifier config, <see cref="FormatVersion"/> and
/// the SHA-256 of the training images and labels themselves — so a changed renderer cannot hand back a judge trained
/// on other pictures, even when the description stays the same.</para>
/// <para>An entry is written into a <c>.tmp-*</c> folder and renamed into place, so a crash never leaves a
/// half-written entry under a real key; an entry whose manifest is unreadable, from another format version, or whose
/// weights do not match their SHA-256 or do not load is retrained and replaced, and the result says why.</para></summary>
public static class ClassifierCache
{
    /// <summary>Bump when the network, its training or the entry layout changes: old entries are then ignored.</summary>
    public const int FormatVersion = 1;
    public const string FolderName = "classifiers";
    public const string ManifestFile = "manifest.json";
    public const string WeightsFile = "weights.bin";
    private const string TempPrefix = ".tmp-";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The classifier for these images from the cache, or trained with <see cref="ImageClassifier.Train"/>
    /// and cached.</summary>
    /// <param name="cacheRoot">The cache root; entries go under its <c>classifiers/</c> folder.</param>
    /// <param name="dataset">A human-readable description of the data, e.g. <c>drawer size=32 rgb count_per_item=150
    /// seed=1337</c>; recorded in the manifest and part of the key.</param>
    /// <param name="images">(N, C, S, S) real images in [0, 1].</param>
    /// <param name="labels">One class name per image.</param>
    /// <param name="classNames">Logit order; by default the distinct labels in ordinal order.</param>
    /// <param name="log">Receives training progress and, for a rejected entry, why.</param>
    public static CachedClassifier GetOrTrain(string cacheRoot, string dataset, long seed, Tensor images,
        IReadOnlyList<string> labels, ImageClassifierConfig? config = null, IReadOnlyList<string>? classNames = null,
        Action<string>? log = null)
    {
        config ??= new ImageClassifierConfig();
        if (images.dim() != 4 || images.shape[2] != images.shape[3])
            throw new ArgumentException($"expected (N, C, S, S) square images, got ({string.Join(", ", images.shape)})", nameof(images));
        if (labels.Count != images.shape[0])
            throw new ArgumentException($"{labels.Count} labels for {images.shape[0]} images", nameof(labels));
        classNames ??= [.. labels.Distinct().Order(StringComparer.Ordinal)];
        int channels = (int)images.shape[1], size = (int)images.shape[2];
        string dataHash = DataSha256(images, labels);
        string key = KeyOf(dataset, seed, channels, size, classNames, config, dataHash);
        string folder = Path.Combine(cacheRoot, FolderName);
        string entry = Path.Combine(folder, key);

        string? problem = null;
        if (Directory.Exists(entry))
        {
            var (cached, why) = TryLoad(entry, key);
            if (cached is not null) return cached;
            problem = why;
            log?.Invoke($"classifier cache entry {entry} is not usable ({why}); training again");
        }

        var (model, scores) = ImageClassifier.Train(images, labels, config, seed, classNames, log);
        model.to(CPU).eval();
        var manifest = new ClassifierManifest
        {
            FormatVersion = FormatVersion, Key = key, Dataset = dataset, Seed = seed, ImageChannels = channels,
            ImageSize = size, Images = labels.Count, ClassNames = [.. classNames], Config = config, Scores = scores,
            DataSha256 = dataHash, CreatedUtc = DateTimeOffset.UtcNow,
        };
        Write(folder, entry, model, manifest);
        return new CachedClassifier(model, scores, entry,
            problem is null ? ClassifierCacheOutcome.Trained : ClassifierCacheOutcome.Retrained, problem);
    }

    /// <summary>The entry name: hex SHA-256 over one line per input (the dataset description JSON-quoted, so a
    /// newline inside it cannot imitate another line).</summary>
    public static string KeyOf(string dataset, long seed, int channels, int size, IReadOnlyList<string> classNames,
        ImageClassifierConfig config, string dataSha256)
    {
        var text = new StringBuilder()
            .Append("genlab image classifier, format ").Append(FormatVersion).Append('\n')
            .Append("dataset ").Append(JsonSerializer.Serialize(dataset)).Append('\n')
            .Append("seed ").Append(seed).Append('\n')
            .Append("shape ").Append(channels).Append('x').Append(size).Append('x').Append(size).Append('\n')
            .Append("classes ").Append(JsonSerializer.Serialize(classNames)).Append('\n')
            .Append("config ").Append(JsonSerializer.Serialize(config, Json)).Append('\n')
            .Append("data ").Append(dataSha256).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static (CachedClassifier? Cached, string? Problem) TryLoad(string entry, string key)
    {
        string manifestPath = Path.Combine(entry, ManifestFile), weightsPath = Path.Combine(entry, WeightsFile);
        ClassifierManifest? manifest;
        try
        {
            if (!File.Exists(manifestPath)) return (null, "no manifest.json");
            manifest = JsonSerializer.Deserialize<ClassifierManifest>(File.ReadAllText(manifestPath), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return (null, $"manifest.json is unreadable ({e.Message})");
        }
        if (manifest is null || manifest.Scores is null || manifest.Config is null || manifest.ClassNames is null)
            return (null, "manifest.json is incomplete");
        if (manifest.FormatVersion != FormatVersion)
            return (null, $"format version {manifest.FormatVersion}, this GenLab writes {FormatVersion}");
        if (manifest.Key != key) return (null, "manifest.json belongs to another key");
        if (!File.Exists(weightsPath)) return (null, "weights.bin is missing");
        if (!string.Equals(Sha256Of(weightsPath), manifest.WeightsSha256, StringComparison.Ordinal))
            return (null, "weights.bin does not match its SHA-256 in the manifest (corrupt or modified)");

        ImageClassifier? model = null;
        try
        {
            model = new ImageClassifier(manifest.Config, manifest.ImageChannels, manifest.ImageSize, manifest.ClassNames);
            model.load(weightsPath);
            model.eval();
            return (new CachedClassifier(model, manifest.Scores, entry, ClassifierCacheOutcome.Hit, null), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model?.Dispose();
            return (null, $"weights.bin does not load ({e.Message})");
        }
    }

    private static void Write(string folder, string entry, ImageClassifier model, ClassifierManifest manifest)
    {
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $"{TempPrefix}{manifest.Key}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            string weights = Path.Combine(temp, WeightsFile);
            model.save(weights);
            manifest = manifest with { WeightsSha256 = Sha256Of(weights) };
            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, Json));
            if (Directory.Exists(entry))
            {
                // The rejected entry is renamed away first, so the real name only ever holds a complete entry.
                string aside = Path.Combine(folder, $"{TempPrefix}old-{manifest.Key}-{Guid.NewGuid():N}");
                Directory.Move(entry, aside);
                TryDelete(aside);
            }
            Directory.Move(temp, entry);
        }
        catch (IOException) when (Directory.Exists(entry))
        {
            // Another process cached the same key meanwhile; its entry is as good as ours.
            TryDelete(temp);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>SHA-256 of the images as float32 (C-contiguous) followed by each label's UTF-8 bytes and a 0 byte.</summary>
    private static string DataSha256(Tensor images, IReadOnlyList<string> labels)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var scope = NewDisposeScope())
        {
            var pixels = images.detach().to(ScalarType.Float32).cpu().contiguous();
            hash.AppendData(pixels.bytes);
        }
        foreach (string label in labels)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(label));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
