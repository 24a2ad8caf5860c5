using GenLab.Models.Configuration;

namespace GenLab.Models.Mlp;

/// <summary>Data for a character-level language model: one word or line per sample.</summary>
public sealed record CharCorpusConfig : IValidatable
{
    /// <summary>UTF-8 text file; each non-empty line is one sequence.</summary>
    [FilePath]
    public required string Path { get; init; }
    /// <summary>Fraction of lines held out for validation.</summary>
    public double ValFraction { get; init; } = 0.1;
    public bool Lowercase { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (ValFraction is <= 0 or >= 1) yield return new("val_fraction", "must be in (0, 1)");
    }
}

/// <summary>Bengio et al. (2003) neural probabilistic language model over characters, as in makemore part 2.</summary>
public sealed record MlpCharConfig : IValidatable
{
    /// <summary>How many previous characters the model sees.</summary>
    [Max(1024)]
    public int ContextLength { get; init; } = 3;
    [Max(4096)]
    public int EmbeddingDim { get; init; } = 10;
    [Max(65_536)]
    public int HiddenSize { get; init; } = 200;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (ContextLength < 1) yield return new("context_length", "must be >= 1");
        if (EmbeddingDim < 1) yield return new("embedding_dim", "must be >= 1");
        if (HiddenSize < 1) yield return new("hidden_size", "must be >= 1");
    }
}
