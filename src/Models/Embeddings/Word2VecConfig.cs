using GenLab.Models.Configuration;

namespace GenLab.Models.Embeddings;

/// <summary>Skip-gram predicts each context word from the centre word; CBOW predicts the centre word from the mean
/// of its context vectors (Mikolov et al. 2013, "Efficient Estimation of Word Representations in Vector Space").</summary>
public enum Word2VecArchitecture { SkipGram, Cbow }

/// <summary>word2vec with negative sampling. Defaults are word2vec.c's (and gensim's), so a run matches theirs.</summary>
public sealed record Word2VecConfig : IValidatable
{
    public Word2VecArchitecture Architecture { get; init; } = Word2VecArchitecture.SkipGram;
    /// <summary>Dimension of the word vectors.</summary>
    [Max(4096)]
    public int Size { get; init; } = 100;
    /// <summary>Largest distance between centre and context word; each centre draws its own window in [1, window].</summary>
    [Max(100)]
    public int Window { get; init; } = 5;
    /// <summary>Negative samples per positive pair (0 turns negative sampling off, leaving only positive updates).</summary>
    [Max(100)]
    public int Negative { get; init; } = 5;
    /// <summary>Subsampling threshold for frequent words (0 keeps every word).</summary>
    public double Sample { get; init; } = 1e-3;
    [Max(1_000_000)]
    public int MinCount { get; init; } = 5;
    [Max(1000)]
    public int Epochs { get; init; } = 5;
    /// <summary>Starting learning rate; null takes word2vec.c's default for the architecture (0.025 skip-gram, 0.05 CBOW).</summary>
    public double? Alpha { get; init; }
    /// <summary>The learning rate decays linearly from alpha to this over all words of all epochs.</summary>
    public double MinAlpha { get; init; } = 0.0001;
    /// <summary>Training examples per batched update: (centre, context) pairs for skip-gram, centre words for CBOW.
    /// 2048 keeps a batch's (B, 1 + negative, size) tensors in cache; much larger batches ran slower here and, since
    /// a frequent word's updates within one batch add up, they also train worse (CBOW at 4096 already did).</summary>
    [Max(1_048_576)]
    public int BatchSize { get; init; } = 2048;

    /// <summary>Training threads, as word2vec.c's -threads and gensim's workers: each trains on its share of the
    /// sentences and all update the same matrices without locks. 1 is deterministic for a seed; more are faster
    /// but not reproducible. Each thread's tensor operations run on the calling thread when
    /// torch.set_num_threads(1), which is how to use one core per worker.</summary>
    [Max(256)]
    public int Workers { get; init; } = 1;

    public double EffectiveAlpha => Alpha ?? (Architecture == Word2VecArchitecture.Cbow ? 0.05 : 0.025);

    public IEnumerable<ConfigIssue> Validate()
    {
        if (!Enum.IsDefined(Architecture)) yield return new("architecture", "must be skip_gram or cbow");
        if (Size < 1) yield return new("size", "size must be >= 1");
        if (Window < 1) yield return new("window", "window must be >= 1");
        if (Negative < 0) yield return new("negative", "negative must be >= 0");
        if (Sample < 0) yield return new("sample", "sample must be >= 0");
        if (MinCount < 1) yield return new("min_count", "min_count must be >= 1");
        if (Epochs < 1) yield return new("epochs", "epochs must be >= 1");
        if (Alpha is { } a && !(a > 0)) yield return new("alpha", "alpha must be > 0");
        if (MinAlpha < 0) yield return new("min_alpha", "min_alpha must be >= 0");
        if (Workers < 1) yield return new("workers", "workers must be >= 1");
        if (BatchSize < 1) yield return new("batch_size", "batch_size must be >= 1");
    }
}
