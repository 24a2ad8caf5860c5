using System.Text;

namespace GenLab.Models.Tokenizers;

/// <summary>nanoGPT's character tokenizer: the sorted distinct characters (Unicode scalar values, so an emoji or a
/// Hangul syllable is one token) of a corpus, ids 0..V-1. Lossless on any text made of the corpus's characters; text
/// with others is an error that lists them.</summary>
public sealed class CharTokenizer : ITokenizer
{
    public const string Kind = "char";
    private const int FormatVersion = 1;

    private readonly string[] _symbols;
    private readonly Dictionary<int, int> _ids;

    private CharTokenizer(IEnumerable<int> scalars)
    {
        int[] sorted = [.. scalars.Distinct().Order()];
        _symbols = [.. sorted.Select(char.ConvertFromUtf32)];
        _ids = sorted.Select((scalar, id) => (scalar, id)).ToDictionary(p => p.scalar, p => p.id);
    }

    public string Name => $"char (corpus, {VocabularySize})";
    public int VocabularySize => _symbols.Length;
    public IReadOnlyList<string> Symbols => _symbols;

    public static CharTokenizer FromCorpus(string corpus)
    {
        if (corpus.Length == 0) throw new ArgumentException("cannot build a character vocabulary from an empty corpus", nameof(corpus));
        return new CharTokenizer(corpus.EnumerateRunes().Select(r => r.Value));
    }

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length);
        SortedSet<string>? unknown = null;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (_ids.TryGetValue(rune.Value, out int id)) ids.Add(id);
            else (unknown ??= new SortedSet<string>(StringComparer.Ordinal)).Add(rune.ToString());
        }
        if (unknown is not null)
            throw new ArgumentException($"characters not in the vocabulary: {string.Join(" ", unknown.Select(Show))}");
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder(ids.Count);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_symbols.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"character ids are 0..{_symbols.Length - 1}");
            text.Append(_symbols[id]);
        }
        return text.ToString();
    }

    /// <summary>Header, then one code point per line in hexadecimal (so whitespace and newlines survive).</summary>
    public void Save(string path)
    {
        var lines = new List<string> { TokenizerFile.Header(Kind, FormatVersion) };
        lines.AddRange(_symbols.Select(s => Rune.GetRuneAt(s, 0).Value.ToString("X4")));
        File.WriteAllLines(path, lines);
    }

    public static CharTokenizer Load(string path)
    {
        TokenizerFile.Expect(path, Kind, FormatVersion);
        string[] lines = File.ReadAllLines(path);
        var scalars = new List<int>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (!int.TryParse(lines[i], System.Globalization.NumberStyles.HexNumber, null, out int scalar) || !Rune.IsValid(scalar))
                throw new InvalidDataException($"{path}:{i + 1}: expected a hexadecimal code point, got '{lines[i]}'");
            scalars.Add(scalar);
        }
        if (scalars.Count == 0) throw new InvalidDataException($"{path}: the vocabulary is empty");
        return new CharTokenizer(scalars);
    }

    private static string Show(string s) => s switch { "\n" => "'\\n'", "\t" => "'\\t'", " " => "' '", _ => $"'{s}'" };
}
