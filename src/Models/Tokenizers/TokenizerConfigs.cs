using GenLab.Models.Configuration;

namespace GenLab.Models.Tokenizers;

public enum TokenizerType
{
    /// <summary>The lecture's scheme: space = 0, a = 1 … z = 26.</summary>
    CharLecture,
    /// <summary>Sorted distinct characters of the corpus (nanoGPT).</summary>
    Char,
    Word,
    /// <summary>Byte-level BPE trained on the corpus.</summary>
    Bpe,
    /// <summary>GPT-4's tokenizer.</summary>
    Cl100k,
    /// <summary>GPT-4o's tokenizer.</summary>
    O200k,
    /// <summary>GPT-2's tokenizer (r50k_base), for weights imported from a GPT-2 checkpoint.</summary>
    Gpt2,
}

/// <summary>One tokenizer of a comparison. Options apply to the types named in their comments.</summary>
public sealed record TokenizerSpec : IValidatable
{
    public required TokenizerType Type { get; init; }
    /// <summary>Name in tables and in <c>expect</c>; defaults to the type's YAML name.</summary>
    public string? Label { get; init; }
    /// <summary>word: punctuation attached to words or separate tokens.</summary>
    public Punctuation Punctuation { get; init; } = Punctuation.Attached;
    /// <summary>word: lower-case before splitting.</summary>
    public bool Lowercase { get; init; }
    /// <summary>word: words seen fewer times in the corpus map to &lt;unk&gt;.</summary>
    [Max(1_000_000)]
    public int MinFrequency { get; init; } = 1;
    /// <summary>word: a dictionary file (one word per line, id = line number) instead of the corpus.</summary>
    [FilePath]
    public string? Dictionary { get; init; }
    /// <summary>bpe: vocabulary size (256 byte tokens + merges).</summary>
    [Max(262_144)]
    public int VocabSize { get; init; } = 512;
    /// <summary>bpe: pre-split pattern (none, gpt2, gpt4).</summary>
    public BpeSplit Split { get; init; } = BpeSplit.Gpt4;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Label is { } label && string.IsNullOrWhiteSpace(label)) yield return new("label", "must not be empty");
        if (MinFrequency < 1) yield return new("min_frequency", "must be >= 1");
        if (Type == TokenizerType.Bpe && VocabSize < 257)
            yield return new("vocab_size", $"a byte-level vocabulary starts with 256 byte tokens, so it must be at least 257 (one merge); got {VocabSize}");
        if (Dictionary is not null && Type != TokenizerType.Word) yield return new("dictionary", "applies to type word only");
    }
}

/// <summary><c>kind: tokenize</c> — model section.</summary>
public sealed record TokenizeConfig : IValidatable
{
    public required IReadOnlyList<TokenizerSpec> Tokenizers { get; init; }

    public static string LabelOf(TokenizerSpec spec) => spec.Label ?? spec.Type switch
    {
        TokenizerType.CharLecture => "char_lecture",
        TokenizerType.Char => "char",
        TokenizerType.Word => "word",
        TokenizerType.Bpe => "bpe",
        TokenizerType.Cl100k => "cl100k",
        TokenizerType.Gpt2 => "gpt2",
        _ => "o200k",
    };

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Tokenizers.Count == 0) yield return new("tokenizers", "list at least one tokenizer");
        var labels = Tokenizers.Select(LabelOf).ToList();
        foreach (string duplicate in labels.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return new("tokenizers", $"two tokenizers are labelled '{duplicate}': give them distinct `label`s");
    }
}

/// <summary><c>kind: tokenize</c> — data section: the text to tokenize and the corpus that trainable tokenizers
/// (char, word, bpe) learn their vocabulary from.</summary>
public sealed record TokenizeDataConfig : IValidatable
{
    public string? Text { get; init; }
    [FilePath]
    public string? TextFile { get; init; }
    [FilePath]
    public string? Corpus { get; init; }

    public string ReadText() => Text ?? File.ReadAllText(TextFile!);

    public IEnumerable<ConfigIssue> Validate()
    {
        if ((Text is null) == (TextFile is null)) yield return new("text", "give exactly one of `text` and `text_file`");
    }
}

/// <summary><c>kind: bpe_sweep</c> — model section.</summary>
public sealed record BpeSweepConfig : IValidatable
{
    public BpeSplit Split { get; init; } = BpeSplit.Gpt4;
    [Max(262_144)]
    public required IReadOnlyList<int> VocabSizes { get; init; }
    /// <summary>Pretrained tokenizers drawn as reference lines.</summary>
    public IReadOnlyList<TokenizerType> References { get; init; } = [TokenizerType.Cl100k, TokenizerType.O200k];

    public IEnumerable<ConfigIssue> Validate()
    {
        if (VocabSizes.Count == 0) yield return new("vocab_sizes", "list at least one vocabulary size");
        foreach (int size in VocabSizes.Where(s => s < 257))
            yield return new("vocab_sizes", $"{size} is below 257 (256 byte tokens + at least one merge)");
        foreach (var type in References.Where(t => t is not (TokenizerType.Cl100k or TokenizerType.O200k)))
            yield return new("references", $"'{type}' is not a pretrained tokenizer (cl100k, o200k)");
    }
}

/// <summary><c>kind: bpe_sweep</c> — data section.</summary>
public sealed record HeldOutCorpusConfig : IValidatable
{
    [FilePath]
    public required string Corpus { get; init; }
    /// <summary>The last fraction of the corpus is held out to measure tokens per character.</summary>
    public double HeldOutFraction { get; init; } = 0.1;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (HeldOutFraction is <= 0 or >= 1) yield return new("held_out_fraction", "must be in (0, 1)");
    }
}
