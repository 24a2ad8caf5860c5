using System.Text;
using System.Text.RegularExpressions;

namespace GenLab.Models.Tokenizers;

public enum Punctuation
{
    /// <summary>Punctuation stays on its word: "preguiça." is one token (the lecture's 11 words).</summary>
    Attached,
    /// <summary>Each punctuation mark is a token of its own: "preguiça" "." .</summary>
    Separate,
}

/// <summary>Word-level tokenizer: whitespace splits words; id 0 is <c>&lt;unk&gt;</c> for any word outside the
/// vocabulary. The vocabulary comes from a corpus (words seen at least <c>minFrequency</c> times, most frequent first)
/// or from a dictionary file with one word per line whose id is its line number, as in the lecture's dictionary.</summary>
public sealed partial class WordTokenizer : ITokenizer
{
    public const string Kind = "word";
    public const string Unknown = "<unk>";
    private const int FormatVersion = 1;

    private readonly string[] _words;                     // id → word; _words[0] = <unk>
    private readonly Dictionary<string, int> _ids;

    private WordTokenizer(IReadOnlyList<string> words, Punctuation punctuation, bool lowercase)
    {
        _words = [.. words];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i < _words.Length; i++)
            if (_words[i].Length > 0) _ids.TryAdd(_words[i], i);
        PunctuationMode = punctuation;
        Lowercase = lowercase;
    }

    public Punctuation PunctuationMode { get; }
    public bool Lowercase { get; }
    public string Name => $"word ({(PunctuationMode == Punctuation.Attached ? "punctuation attached" : "punctuation separate")}, {VocabularySize})";
    public int VocabularySize => _words.Length;

    /// <summary>id → word; id 0 is <see cref="Unknown"/>.</summary>
    public IReadOnlyList<string> Vocabulary => _words;

    public static WordTokenizer FromCorpus(string corpus, Punctuation punctuation, bool lowercase, int minFrequency = 1)
    {
        if (minFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minFrequency), minFrequency, "must be >= 1");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in Split(corpus, punctuation, lowercase))
            counts[word] = counts.GetValueOrDefault(word) + 1;
        if (counts.Count == 0) throw new ArgumentException("cannot build a word vocabulary from an empty corpus", nameof(corpus));
        var words = counts.Where(kv => kv.Value >= minFrequency)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        return new WordTokenizer([Unknown, .. words], punctuation, lowercase);
    }

    /// <summary>One word per line; the word on line N gets id N (line 1 → id 1), id 0 stays <c>&lt;unk&gt;</c>.</summary>
    public static WordTokenizer FromDictionary(string path, Punctuation punctuation, bool lowercase)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: dictionary file not found", path);
        var lines = File.ReadAllLines(path).Select(l => lowercase ? l.Trim().ToLowerInvariant() : l.Trim()).ToList();
        if (lines.All(l => l.Length == 0)) throw new InvalidDataException($"{path}: the dictionary has no words");
        return new WordTokenizer([Unknown, .. lines], punctuation, lowercase);
    }

    public IReadOnlyList<string> Words(string text) => Split(text, PunctuationMode, Lowercase).ToList();

    public IReadOnlyList<int> Encode(string text) =>
        Split(text, PunctuationMode, Lowercase).Select(w => _ids.GetValueOrDefault(w, 0)).ToList();

    /// <summary>Words joined by single spaces (no space before closing punctuation in <see cref="Punctuation.Separate"/>
    /// mode): the original spacing is not kept, and <c>&lt;unk&gt;</c> stands for unknown words.</summary>
    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_words.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"word ids are 0..{_words.Length - 1}");
            string word = _words[id];
            bool glue = PunctuationMode == Punctuation.Separate && word.Length == 1 && ".,;:!?)]}»”".Contains(word[0]);
            if (text.Length > 0 && !glue && !(text[^1] is '(' or '[' or '{' or '«' or '“' && PunctuationMode == Punctuation.Separate)) text.Append(' ');
            text.Append(word);
        }
        return text.ToString();
    }

    public void Save(string path)
    {
        var lines = new List<string>
        {
            TokenizerFile.Header(Kind, FormatVersion),
            $"punctuation {PunctuationMode.ToString().ToLowerInvariant()}",
            $"lowercase {(Lowercase ? "true" : "false")}",
        };
        lines.AddRange(_words.Skip(1));
        File.WriteAllLines(path, lines);
    }

    public static WordTokenizer Load(string path)
    {
        TokenizerFile.Expect(path, Kind, FormatVersion);
        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 3 || !lines[1].StartsWith("punctuation ", StringComparison.Ordinal)
            || !Enum.TryParse(lines[1]["punctuation ".Length..], ignoreCase: true, out Punctuation punctuation))
            throw new InvalidDataException($"{path}:2: expected 'punctuation attached|separate'");
        if (lines[2] is not ("lowercase true" or "lowercase false"))
            throw new InvalidDataException($"{path}:3: expected 'lowercase true|false'");
        return new WordTokenizer([Unknown, .. lines.Skip(3)], punctuation, lines[2] == "lowercase true");
    }

    private static IEnumerable<string> Split(string text, Punctuation punctuation, bool lowercase)
    {
        if (lowercase) text = text.ToLowerInvariant();
        var pattern = punctuation == Punctuation.Attached ? AttachedPattern() : SeparatePattern();
        foreach (Match m in pattern.Matches(text)) yield return m.Value;
    }

    [GeneratedRegex(@"\S+")]
    private static partial Regex AttachedPattern();

    // Letters, digits and joining marks form words (so "não" and "guarda-chuva" stay whole); any other
    // non-space character is a token of its own.
    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+(?:[-'’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]")]
    private static partial Regex SeparatePattern();
}
