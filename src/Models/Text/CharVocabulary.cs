using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GenLab.Models.Text;

/// <summary>Character vocabulary as in makemore: id 0 is the boundary token that starts and ends every sequence,
/// ids 1..n are the corpus's distinct characters (text elements, so "ç" or an emoji is one symbol) in ordinal order.</summary>
public sealed class CharVocabulary
{
    public const int Boundary = 0;
    public const string BoundaryDisplay = "·";

    private readonly string[] _symbols;
    private readonly Dictionary<string, int> _ids;

    private CharVocabulary(IEnumerable<string> symbols)
    {
        _symbols = [BoundaryDisplay, .. symbols];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i < _symbols.Length; i++) _ids[_symbols[i]] = i;
    }

    public int Size => _symbols.Length;
    public IReadOnlyList<string> Symbols => _symbols;

    public static CharVocabulary FromLines(IEnumerable<string> lines)
    {
        var distinct = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in lines)
            foreach (string symbol in TextElements(line)) distinct.Add(symbol);
        if (distinct.Count == 0) throw new InvalidDataException("the corpus has no characters");
        return new CharVocabulary(distinct);
    }

    /// <summary>Ids of a line without boundaries. Throws listing every character the vocabulary lacks.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string symbol in TextElements(text))
        {
            if (_ids.TryGetValue(symbol, out int id)) ids.Add(id);
            else unknown.Add(symbol);
        }
        if (unknown.Count > 0)
            throw new ArgumentException($"characters not in the vocabulary: {string.Join(" ", unknown.Select(s => $"'{s}'"))}");
        return [.. ids];
    }

    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (id == Boundary) continue;
            text.Append(_symbols[id]);
        }
        return text.ToString();
    }

    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new VocabularyFile(1, _symbols[1..])));

    public static CharVocabulary Load(string path)
    {
        var file = JsonSerializer.Deserialize<VocabularyFile>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path}: empty vocabulary file");
        if (file.FormatVersion != 1)
            throw new InvalidDataException($"{path}: vocabulary format {file.FormatVersion}, expected 1");
        return new CharVocabulary(file.Symbols);
    }

    private static IEnumerable<string> TextElements(string text)
    {
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) yield return (string)e.Current;
    }

    private sealed record VocabularyFile(int FormatVersion, IReadOnlyList<string> Symbols);
}
