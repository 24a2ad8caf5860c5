using GenLab.Models.Configuration;

namespace GenLab.Models.Embeddings;

/// <summary>Skip-gram predicts each context word from the centre word; CBOW predicts the centre word from the mean
/// of its context vectors (Mikolov et al. 2013, "Efficient Estimation of Word Representations in Vector Space").</summary>
public enum Word2VecArchitecture { SkipGram, Cbow }

/// <summary>Hogwild: word2vec.c's algorithm in plain C# over float arrays with SIMD, one thread per core (the fast one,
/// and the default). Torch: the same updates written as batched TorchSharp tensor operations (for teaching: the
/// gradients written out by hand; about 3–6× slower here).</summary>
public enum Word2VecTrainer { Hogwild, Torch }

/// <summary>word2vec with negative sampling. Defaults are word2vec.c's (and gensim's), so a run matches theirs.</summary>
public sealed record Word2VecConfig : IValidatable
{
    public Word2VecArchitecture Architecture { get; init; } = Word2VecArchitecture.SkipGram;
    public Word2VecTrainer Trainer { get; init; } = Word2VecTrainer.Hogwild;
    /// <summary>Dimension of the word vectors.</summary>
    [Max(4096)]
    public int Size { get; init; } = 100;
    /// <summary>Largest distance between centre and context word; each centre draws its own window in [1, window].</summary>
    [Max(100)]
    public int Window { get; init; } = 5;
    /// <summary>Negative samples per positive pair (0 turns negative sampling off, leaving only positive updates).</summary>
    [Max(100)]
    public int Negative { get; init; } = 5;
    /// <summary>Hogwild skip-gram: the contexts of a centre word share one draw of negatives, and their updates
    /// become small matrix products (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed Memory");
    /// false: word2vec.c's own loop, fresh negatives for every (context, centre) pair.</summary>
    public bool SharedNegatives { get; init; } = true;
    /// <summary>Subsampling threshold for frequent words (0 keeps every word).</summary>
    public double Sample { get; init; } = 1e-3;
    [Max(1_000_000)]
    public int MinCount { get; init; } = 5;
    [Max(1000)]
    public int Epochs { get; init; } = 5;
    /// <summary>Starting learning rate; null takes word2vec.c's default for the architecture (0.025 skip-gram, 0.05 CBOW).</summary>
    public double? Alpha { get; init; }
    /// <summary>The learning rate decays linearly from alpha to this over all words of all epochs; null takes
    /// word2vec.c's floor, alpha·1e-4 (gensim's default is an absolute 0.0001).</summary>
    public double? MinAlpha { get; init; }
    /// <summary>Torch trainer only. Training examples per batched update: (centre, context) pairs for skip-gram, centre words for CBOW.
    /// 2048 keeps a batch's (B, 1 + negative, size) tensors in cache; much larger batches ran slower here and, since
    /// a frequent word's updates within one batch add up, they also train worse (CBOW at 4096 already did).</summary>
    [Max(1_048_576)]
    public int BatchSize { get; init; } = 2048;

    /// <summary>Training threads, as word2vec.c's -threads and gensim's workers: each trains on its share of the
    /// sentences and all update the same matrices without locks. 1 is deterministic for a seed; more are faster
    /// but not reproducible (the threads' updates interleave differently every run). Null: one per core for the
    /// hogwild trainer, 1 for the torch trainer, whose tensor operations run on the calling thread only when
    /// torch.set_num_threads(1).</summary>
    [Max(256)]
    public int? Workers { get; init; }

    public double EffectiveAlpha => Alpha ?? (Architecture == Word2VecArchitecture.Cbow ? 0.05 : 0.025);
    public double EffectiveMinAlpha => MinAlpha ?? EffectiveAlpha * 1e-4;
    public int EffectiveWorkers => Workers ?? (Trainer == Word2VecTrainer.Hogwild ? Environment.ProcessorCount : 1);

    public IEnumerable<ConfigIssue> Validate()
    {
        if (!Enum.IsDefined(Architecture)) yield return new("architecture", "must be skip_gram or cbow");
        if (!Enum.IsDefined(Trainer)) yield return new("trainer", "must be hogwild or torch");
        if (Size < 1) yield return new("size", "size must be >= 1");
        if (Window < 1) yield return new("window", "window must be >= 1");
        if (Negative < 0) yield return new("negative", "negative must be >= 0");
        if (Sample < 0) yield return new("sample", "sample must be >= 0");
        if (MinCount < 1) yield return new("min_count", "min_count must be >= 1");
        if (Epochs < 1) yield return new("epochs", "epochs must be >= 1");
        if (Alpha is { } a && !(a > 0)) yield return new("alpha", "alpha must be > 0");
        if (MinAlpha < 0) yield return new("min_alpha", "min_alpha must be >= 0");
        else if (MinAlpha > EffectiveAlpha) yield return new("min_alpha", $"min_alpha must be <= alpha ({EffectiveAlpha})");
        if (Workers < 1) yield return new("workers", "workers must be >= 1");
        if (BatchSize < 1) yield return new("batch_size", "batch_size must be >= 1");
    }
}
