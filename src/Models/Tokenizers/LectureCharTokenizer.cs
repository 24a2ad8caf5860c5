using System.Globalization;
using System.Text;

namespace GenLab.Models.Tokenizers;

/// <summary>The lecture's character scheme: space = 0, <c>a</c> = 1 … <c>z</c> = 26, letters lower-cased and accents
/// folded (<c>ã</c> → <c>a</c>, <c>ç</c> → <c>c</c>), everything else dropped. Deliberately lossy: on
/// "O arquiteto não reiniciou o servidor porque ele estava com preguiça." it gives 67 ids, while the sentence has 68
/// characters — the final period has no id.</summary>
public sealed class LectureCharTokenizer : ITokenizer
{
    public const string Kind = "char-lecture";
    private const int FormatVersion = 1;

    public string Name => "char (lecture: space=0, a=1…z=26)";
    public int VocabularySize => 27;

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length);
        foreach (char c in Fold(text))
        {
            if (c == ' ') ids.Add(0);
            else if (c is >= 'a' and <= 'z') ids.Add(c - 'a' + 1);
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder(ids.Count);
        foreach (int id in ids)
        {
            if (id is < 0 or > 26) throw new ArgumentOutOfRangeException(nameof(ids), id, "lecture character ids are 0..26");
            text.Append(id == 0 ? ' ' : (char)('a' + id - 1));
        }
        return text.ToString();
    }

    /// <summary>What <see cref="Decode"/> of <see cref="Encode"/> gives back: the text as the scheme sees it.</summary>
    public string Normalize(string text) => Decode(Encode(text));

    /// <summary>Characters of <paramref name="text"/> that the scheme drops (after folding), in order of first appearance.</summary>
    public IReadOnlyList<char> Dropped(string text) =>
        Fold(text).Where(c => c != ' ' && c is not (>= 'a' and <= 'z')).Distinct().ToList();

    public void Save(string path) => File.WriteAllText(path, TokenizerFile.Header(Kind, FormatVersion) + "\n");

    public static LectureCharTokenizer Load(string path)
    {
        TokenizerFile.Expect(path, Kind, FormatVersion);
        return new LectureCharTokenizer();
    }

    /// <summary>Lower-case, then accents folded by an explicit table of the Latin letters with diacritics
    /// (Latin-1 Supplement and Latin Extended-A, which cover Portuguese, Spanish, French, German and Italian), and
    /// combining marks removed. A table rather than Unicode NFD: GenLab runs with invariant globalization, where
    /// <see cref="string.Normalize()"/> has no decomposition data.</summary>
    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            int at = Accented.IndexOf(c);
            folded.Append(at >= 0 ? Plain[at] : c);
        }
        return folded.ToString();
    }

    private const string Accented = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĵķĺļľŀłńņňōŏőŕŗřśŝşšţťŧũūŭůűųŵŷźżž";
    private const string Plain    = "aaaaaaceeeeiiiinoooooouuuuyyaaaccccddeeeeegggghhiiiiijklllllnnnooorrrsssstttuuuuuuwyzzz";
}
