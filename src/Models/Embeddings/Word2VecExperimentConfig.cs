using GenLab.Models.Configuration;

namespace GenLab.Models.Embeddings;

/// <summary><c>kind: word2vec</c> — data section: a text file, or (without one) the drawer's synthetic corpus.</summary>
public sealed record Word2VecDataConfig : IValidatable
{
    [FilePath]
    public string? Path { get; init; }
    /// <summary>Sentences of the generated drawer corpus (ignored with <c>path</c>).</summary>
    [Max(10_000_000)]
    public int Sentences { get; init; } = 20000;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Sentences < 1) yield return new("sentences", "must be >= 1");
    }
}

/// <summary><c>kind: word2vec</c> — model section: word2vec.c's settings, and what the report measures.</summary>
public sealed record Word2VecExperimentConfig : IValidatable
{
    /// <summary>word2vec.c's settings (YAML key <c>word2vec</c>).</summary>
    public Word2VecConfig Word2vec { get; init; } = new();
    /// <summary>How many nearest neighbours a colour (type) word must have among colours (types).</summary>
    [Max(1000)]
    public int Neighbours { get; init; } = 3;
    /// <summary>Words whose neighbours the report lists; by default some colour and type words.</summary>
    public IReadOnlyList<string> Probes { get; init; } = [];
    /// <summary>Analogy queries [a, b, c] or [a, b, c, expected]: nearest to a − b + c.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Analogies { get; init; } = [];
    /// <summary>The most frequent words drawn in the PCA scatter.</summary>
    [Max(10_000)]
    public int PlotWords { get; init; } = 80;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Neighbours < 1) yield return new("neighbours", "must be >= 1");
        if (PlotWords < 2) yield return new("plot_words", "must be >= 2");
        foreach (var a in Analogies.Where(a => a.Count is < 3 or > 4))
            yield return new("analogies", $"[{string.Join(", ", a)}]: give [a, b, c] or [a, b, c, expected]");
    }
}
