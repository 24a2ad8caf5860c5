using GenLab.Models.Configuration;

namespace GenLab.Models.Gpt;

/// <summary>Architecture of a GPT (Radford et al. 2019), named as nanoGPT's <c>GPTConfig</c>. The defaults are a
/// small character-level model that trains on a CPU.</summary>
public sealed record GptConfig : IValidatable
{
    /// <summary>Number of token ids; 0 means "take it from the tokenizer" and must be set before building.</summary>
    [Max(262_144)]
    public int VocabSize { get; init; }
    /// <summary>Longest context the model attends over (rows of the position embedding).</summary>
    [Max(2048)]
    public int BlockSize { get; init; } = 64;
    [Max(48)]
    public int Layers { get; init; } = 4;
    [Max(64)]
    public int Heads { get; init; } = 4;
    [Max(2048)]
    public int EmbeddingDim { get; init; } = 128;
    public double Dropout { get; init; }
    /// <summary>Biases in the Linear layers and LayerNorms, as GPT-2; false is a little better and faster.</summary>
    public bool Bias { get; init; } = true;
    /// <summary>Share the token embedding with the output head (Press &amp; Wolf 2017), as GPT-2.</summary>
    public bool TieWeights { get; init; } = true;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (VocabSize < 0) yield return new("vocab_size", "must be >= 0 (0 = from the tokenizer)");
        if (BlockSize < 1) yield return new("block_size", "must be >= 1");
        if (Layers < 1) yield return new("layers", "must be >= 1");
        if (Heads < 1) yield return new("heads", "must be >= 1");
        if (EmbeddingDim < 1) yield return new("embedding_dim", "must be >= 1");
        else if (Heads >= 1 && EmbeddingDim % Heads != 0)
            yield return new("embedding_dim", $"embedding_dim {EmbeddingDim} is not divisible by heads {Heads}");
        if (Dropout is < 0 or >= 1) yield return new("dropout", "must be in [0, 1)");
    }

    /// <summary>Validation for building a model: everything in <see cref="Validate"/> plus a known vocabulary.</summary>
    public IEnumerable<ConfigIssue> ValidateForBuild()
    {
        foreach (var issue in Validate()) yield return issue;
        if (VocabSize == 0) yield return new("vocab_size", "must be > 0 to build a model (set it from the tokenizer)");
    }
}
