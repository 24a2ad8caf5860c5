using System.Globalization;

namespace GenLab.Models.Tokenizers;

/// <summary>The header every saved GenLab tokenizer starts with: <c>genlab-tokenizer &lt;kind&gt; v&lt;version&gt;</c>.
/// <see cref="Load"/> dispatches on the kind and each tokenizer checks its version.</summary>
public static class TokenizerFile
{
    public const string Magic = "genlab-tokenizer";

    public static string Header(string kind, int version) => $"{Magic} {kind} v{version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads the header line of <paramref name="path"/>: (kind, version). Throws naming the file when it is
    /// not a GenLab tokenizer file.</summary>
    public static (string Kind, int Version) ReadHeader(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tokenizer file not found", path);
        string first;
        using (var reader = new StreamReader(path)) first = reader.ReadLine() ?? "";
        string[] parts = first.Split(' ');
        if (parts.Length != 3 || parts[0] != Magic || !parts[2].StartsWith('v')
            || !int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw new InvalidDataException($"{path}: not a GenLab tokenizer file (first line should be '{Magic} <kind> v<N>', is '{Truncate(first)}')");
        return (parts[1], version);
    }

    /// <summary>Throws unless <paramref name="path"/> holds <paramref name="kind"/> at <paramref name="version"/>.</summary>
    public static void Expect(string path, string kind, int version)
    {
        var (actualKind, actualVersion) = ReadHeader(path);
        if (actualKind != kind) throw new InvalidDataException($"{path}: holds a '{actualKind}' tokenizer, expected '{kind}'");
        if (actualVersion != version)
            throw new InvalidDataException($"{path}: '{kind}' tokenizer format v{actualVersion}; this GenLab reads v{version}");
    }

    /// <summary>Loads any saved GenLab tokenizer, choosing the class from the file's header.</summary>
    public static ITokenizer Load(string path) => ReadHeader(path).Kind switch
    {
        LectureCharTokenizer.Kind => LectureCharTokenizer.Load(path),
        CharTokenizer.Kind => CharTokenizer.Load(path),
        WordTokenizer.Kind => WordTokenizer.Load(path),
        BytePairTokenizer.FileKind => BytePairTokenizer.Load(path),
        PretrainedTokenizer.FileKind => PretrainedTokenizer.Load(path),
        var kind => throw new InvalidDataException($"{path}: unknown tokenizer kind '{kind}'"),
    };

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
