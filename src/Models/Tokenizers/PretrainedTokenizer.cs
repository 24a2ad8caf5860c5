using Microsoft.ML.Tokenizers;

namespace GenLab.Models.Tokenizers;

/// <summary>OpenAI's published encodings through Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/>: the
/// reference our own <see cref="BytePairTokenizer"/> is checked against. Its data ships in the NuGet data packages,
/// so nothing is downloaded. Special tokens in the text are encoded as their ids (ML.Tokenizers' behaviour).</summary>
public sealed class PretrainedTokenizer : ITokenizer
{
    public const string FileKind = "pretrained";
    public const int FileVersion = 1;

    /// <summary>Encoding name → display name and vocabulary size (tiktoken's <c>n_vocab</c>: ranks plus special
    /// tokens; ML.Tokenizers does not expose its rank table publicly).</summary>
    private static readonly Dictionary<string, (string Name, int VocabularySize)> Known = new(StringComparer.Ordinal)
    {
        ["cl100k_base"] = ("gpt-4 cl100k_base", 100277),
        ["o200k_base"] = ("gpt-4o o200k_base", 200019),
        ["r50k_base"] = ("gpt-2 r50k_base", 50257),
    };

    private readonly TiktokenTokenizer _tokenizer;

    private PretrainedTokenizer(string encoding, TiktokenTokenizer tokenizer)
    {
        Encoding = encoding;
        _tokenizer = tokenizer;
        (Name, VocabularySize) = Known[encoding];
    }

    /// <summary><c>cl100k_base</c> (GPT-4), <c>o200k_base</c> (GPT-4o) or <c>r50k_base</c> (GPT-2).</summary>
    public static PretrainedTokenizer Create(string encoding)
    {
        if (!Known.ContainsKey(encoding))
            throw new ArgumentException($"unknown encoding '{encoding}'; GenLab ships {string.Join(" and ", Known.Keys)}", nameof(encoding));
        return new PretrainedTokenizer(encoding, TiktokenTokenizer.CreateForEncoding(encoding));
    }

    public static PretrainedTokenizer Cl100k() => Create("cl100k_base");

    public static PretrainedTokenizer O200k() => Create("o200k_base");

    /// <summary>GPT-2's encoding (tiktoken's r50k_base, 50,257 ids), for weights imported from GPT-2 checkpoints.</summary>
    public static PretrainedTokenizer Gpt2() => Create("r50k_base");

    /// <summary>The tiktoken encoding name, e.g. <c>cl100k_base</c>.</summary>
    public string Encoding { get; }

    public string Name { get; }

    public int VocabularySize { get; }

    /// <summary>The wrapped Microsoft.ML.Tokenizers tokenizer.</summary>
    public TiktokenTokenizer Inner => _tokenizer;

    public IReadOnlyList<int> Encode(string text) => _tokenizer.EncodeToIds(text);

    public string Decode(IReadOnlyList<int> ids) => _tokenizer.Decode(ids);

    /// <summary>Writes the header and the encoding name: the ranks themselves come from the NuGet package.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, $"{TokenizerFile.Header(FileKind, FileVersion)}\nencoding {Encoding}\n");

    public static PretrainedTokenizer Load(string path)
    {
        TokenizerFile.Expect(path, FileKind, FileVersion);
        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !lines[1].StartsWith("encoding ", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}:2: expected 'encoding <name>', got '{(lines.Length < 2 ? "" : lines[1])}'");
        string encoding = lines[1]["encoding ".Length..];
        if (!Known.ContainsKey(encoding))
            throw new InvalidDataException($"{path}:2: unknown encoding '{encoding}'; GenLab ships {string.Join(" and ", Known.Keys)}");
        return Create(encoding);
    }
}
