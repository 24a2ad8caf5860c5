using GenLab.Models.Configuration;
using GenLab.Models.Language;
using GenLab.Models.Tokenizers;

namespace GenLab.Models.Gpt;

/// <summary><c>kind: gpt</c> — data section: a text file to pre-train on, and the tokenizer that turns it into ids.</summary>
public sealed record GptTextDataConfig : IValidatable
{
    [FilePath]
    public required string Path { get; init; }
    /// <summary>The share of the text that is validation (nanoGPT: 0.1): of the tokens with <c>split: tail</c>, of
    /// the distinct documents' characters with <c>split: documents</c>.</summary>
    public double ValFraction { get; init; } = 0.1;
    /// <summary>tail: the last <c>val_fraction</c> of the token stream is validation (nanoGPT's shakespeare_char);
    /// documents: blank-line-separated documents, duplicates removed, validation documents picked by a hash of their
    /// text (not the seed), for a text made of many short documents or one that repeats itself. The report's
    /// <c>val_overlap</c> says how much validation text training also has.</summary>
    public TextSplit Split { get; init; } = TextSplit.Tail;
    /// <summary>char (nanoGPT's default), word, bpe, cl100k or o200k. A char, word or bpe vocabulary is learnt from
    /// the whole file with <c>split: tail</c> (as nanoGPT's prepare.py does), from the training documents alone with
    /// <c>split: documents</c>. Taken from the checkpoint with <c>model.init_from</c>.</summary>
    public TokenizerSpec? Tokenizer { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (ValFraction is <= 0 or >= 1) yield return new("val_fraction", "must be in (0, 1)");
        if (Tokenizer?.Type == TokenizerType.CharLecture) yield return new("tokenizer", "char_lecture cannot encode arbitrary text; use char");
    }
}

/// <summary><c>kind: gpt_finetune</c> — data section: Q&amp;A pairs in JSONL (OpenOrca or Alpaca format).</summary>
public sealed record QaDataConfig : IValidatable
{
    [FilePath]
    public required string Train { get; init; }
    [FilePath]
    public required string Val { get; init; }
    /// <summary>Held-out questions for the base-vs-fine-tuned comparison; the validation file when absent.</summary>
    [FilePath]
    public string? Test { get; init; }
    /// <summary>How many held-out questions the report answers with both models.</summary>
    [Max(1000)]
    public int CompareQuestions { get; init; } = 8;
    /// <summary>Longest answer generated for the comparison, in tokens.</summary>
    [Max(4096)]
    public int MaxAnswerTokens { get; init; } = 120;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (CompareQuestions < 0) yield return new("compare_questions", "must be >= 0");
        if (MaxAnswerTokens < 1) yield return new("max_answer_tokens", "must be >= 1");
    }
}

/// <summary><c>kind: gpt</c> and <c>kind: gpt_finetune</c> — model section.</summary>
public sealed record GptExperimentConfig : IValidatable, IStartsFromRun
{
    /// <summary>The architecture; with <c>init_from</c> it comes from the checkpoint, and a stated one must match it.</summary>
    public GptConfig? Network { get; init; }
    /// <summary>A run folder, a checkpoint folder, or <c>latest:&lt;experiment name&gt;</c> to start from.</summary>
    public string? InitFrom { get; init; }
    /// <summary>Dropout while fine-tuning from <c>init_from</c> (the checkpoint's otherwise).</summary>
    public double? Dropout { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (InitFrom is { Length: 0 }) yield return new("init_from", "must not be empty");
        if (Dropout is < 0 or >= 1) yield return new("dropout", "must be in [0, 1)");
    }
}
