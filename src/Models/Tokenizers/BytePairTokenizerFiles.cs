using System.Globalization;
using System.Text;

namespace GenLab.Models.Tokenizers;

/// <summary>Saving and loading <see cref="BytePairTokenizer"/>, and its bridges to tiktoken's rank files.</summary>
public sealed partial class BytePairTokenizer
{
    public const string FileKind = "bpe";
    public const int FileVersion = 1;

    /// <summary>Writes the readable format:
    /// <code>
    /// genlab-tokenizer bpe v1
    /// split gpt4
    /// bytes identity            (or: bytes id_of_byte_0 … id_of_byte_255)
    /// specials 1
    /// 4096 &lt;|endoftext|&gt;        (id, space, the token's text to the end of the line)
    /// merges 3840
    /// 32 116                    (merge i: left and right id; creates id 256 + i)
    /// …
    /// </code></summary>
    public void Save(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine(TokenizerFile.Header(FileKind, FileVersion));
        writer.WriteLine($"split {BpeSplitPatterns.ToFileName(Split)}");
        writer.WriteLine(_byteIds.AsSpan().SequenceEqual(IdentityByteIds()) ? "bytes identity" : "bytes " + string.Join(' ', _byteIds));
        writer.WriteLine($"specials {_specials.Count}");
        foreach (var (text, id) in _specials.OrderBy(s => s.Value)) writer.WriteLine($"{id} {text}");
        writer.WriteLine($"merges {Merges.Count}");
        foreach (var (left, right) in Merges) writer.WriteLine($"{left} {right}");
    }

    /// <summary>Reads a file written by <see cref="Save"/>; a malformed line is reported with its line number.</summary>
    public static BytePairTokenizer Load(string path)
    {
        TokenizerFile.Expect(path, FileKind, FileVersion);
        string[] lines = File.ReadAllLines(path);
        int at = 1; // index of the next line; line numbers shown are at + 1

        string splitName = Field(lines, ref at, "split", path);
        if (!BpeSplitPatterns.TryParse(splitName, out var split))
            throw Corrupt(path, at, $"unknown split '{splitName}' (expected none, gpt2 or gpt4)");

        string bytesField = Field(lines, ref at, "bytes", path);
        int[] byteIds = bytesField == "identity" ? IdentityByteIds() : ParseByteIds(bytesField, path, at);

        int specialCount = Count(Field(lines, ref at, "specials", path), path, at);
        var specials = new Dictionary<string, int>();
        for (int i = 0; i < specialCount; i++, at++)
        {
            string line = Line(lines, at, path);
            int space = line.IndexOf(' ');
            if (space <= 0 || !TryId(line.AsSpan(0, space), out int id) || space == line.Length - 1)
                throw Corrupt(path, at + 1, $"expected '<id> <special token>', got '{line}'");
            if (!specials.TryAdd(line[(space + 1)..], id)) throw Corrupt(path, at + 1, $"special token '{line[(space + 1)..]}' listed twice");
        }

        int mergeCount = Count(Field(lines, ref at, "merges", path), path, at);
        var merges = new (int, int)[mergeCount];
        for (int i = 0; i < mergeCount; i++, at++)
        {
            string line = Line(lines, at, path);
            int space = line.IndexOf(' ');
            if (space <= 0 || !TryId(line.AsSpan(0, space), out int left) || !TryId(line.AsSpan(space + 1), out int right))
                throw Corrupt(path, at + 1, $"merge {i}: expected '<left id> <right id>', got '{line}'");
            if (left >= 256 + i || right >= 256 + i)
                throw Corrupt(path, at + 1, $"merge {i} ({left}, {right}) uses an id not defined before it (ids so far: 0..{255 + i})");
            merges[i] = (left, right);
        }
        if (at < lines.Length && lines[at].Length > 0) throw Corrupt(path, at + 1, $"unexpected text after the last merge: '{lines[at]}'");

        try { return FromMerges(split, byteIds, merges, specials); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Writes the byte and merge tokens as a <c>.tiktoken</c> rank file (rank = id), which tiktoken and
    /// Microsoft.ML.Tokenizers' <c>TiktokenTokenizer.Create</c> load; give those the same split regex and special
    /// tokens to get identical ids.</summary>
    public void ExportTiktoken(string path)
    {
        var seen = new HashSet<byte[]>(ByteSequenceComparer.Instance);
        for (int id = 0; id < _tokens.Length; id++)
            if (!seen.Add(_tokens[id]))
                throw new InvalidOperationException($"token {id} spells the same bytes as an earlier token; the .tiktoken format needs unique tokens");
        TiktokenRanks.Write(path, _tokens.Select((bytes, id) => (bytes, id)));
    }

    /// <summary>Builds an encoder from tiktoken ranks (token bytes → rank; rank becomes the id). The ranks must be
    /// 0..N−1 without gaps, with the 256 single bytes at ranks 0..255.</summary>
    public static BytePairTokenizer FromTiktokenRanks(IReadOnlyDictionary<byte[], int> ranks, BpeSplit split,
        IReadOnlyDictionary<string, int>? specialTokens = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var tokens = new byte[ranks.Count][];
        var byteIds = new int[256];
        byteIds.AsSpan().Fill(-1);
        foreach (var (bytes, rank) in ranks)
        {
            if ((uint)rank >= (uint)tokens.Length)
                throw new ArgumentException($"rank {rank} is outside 0..{tokens.Length - 1}: ranks must be numbered without gaps", nameof(ranks));
            if (tokens[rank] is not null) throw new ArgumentException($"rank {rank} is given to two tokens", nameof(ranks));
            if (bytes.Length == 0) throw new ArgumentException($"rank {rank} is an empty token", nameof(ranks));
            if ((bytes.Length == 1) != (rank < 256))
                throw new ArgumentException($"rank {rank} ({bytes.Length} bytes): ranks 0..255 must be exactly the 256 single bytes", nameof(ranks));
            tokens[rank] = bytes;
            if (bytes.Length == 1) byteIds[bytes[0]] = rank;
        }
        if (tokens.Length < 256) throw new ArgumentException($"only {tokens.Length} ranks; the 256 single bytes must all be present", nameof(ranks));
        return new BytePairTokenizer(split, tokens, byteIds, null, specialTokens, name);
    }

    /// <summary>Reads a <c>.tiktoken</c> stream, then <see cref="FromTiktokenRanks(IReadOnlyDictionary{byte[], int}, BpeSplit, IReadOnlyDictionary{string, int}?, string?)"/>.</summary>
    public static BytePairTokenizer FromTiktokenRanks(Stream tiktoken, BpeSplit split,
        IReadOnlyDictionary<string, int>? specialTokens = null, string? name = null) =>
        FromTiktokenRanks(TiktokenRanks.Read(tiktoken), split, specialTokens, name);

    /// <summary>GPT-4's cl100k_base through our own encoder: its ranks from the Microsoft.ML.Tokenizers data
    /// package, the GPT-4 split and cl100k's five special tokens.</summary>
    public static BytePairTokenizer Cl100kFromPackage() =>
        FromTiktokenRanks(TiktokenRanks.Cl100kFromPackage(), BpeSplit.Gpt4, TiktokenRanks.Cl100kSpecialTokens, "bpe gpt4-regex cl100k_base ranks");

    private static string Line(string[] lines, int at, string path) =>
        at < lines.Length ? lines[at] : throw Corrupt(path, at + 1, "file ends early");

    /// <summary>Reads the line <c>&lt;name&gt; &lt;value&gt;</c> and returns the value.</summary>
    private static string Field(string[] lines, ref int at, string name, string path)
    {
        string line = Line(lines, at, path);
        at++;
        if (!line.StartsWith(name + " ", StringComparison.Ordinal))
            throw Corrupt(path, at, $"expected '{name} …', got '{line}'");
        return line[(name.Length + 1)..];
    }

    private static int Count(string value, string path, int lineNumber) =>
        TryId(value, out int count) ? count : throw Corrupt(path, lineNumber, $"'{value}' is not a count");

    private static int[] ParseByteIds(string value, string path, int lineNumber)
    {
        string[] parts = value.Split(' ');
        var ids = new int[256];
        if (parts.Length != 256) throw Corrupt(path, lineNumber, $"expected 256 byte ids, got {parts.Length}");
        for (int b = 0; b < 256; b++)
            if (!TryId(parts[b], out ids[b]) || ids[b] >= 256) throw Corrupt(path, lineNumber, $"byte {b}: '{parts[b]}' is not an id in 0..255");
        if (ids.Distinct().Count() != 256) throw Corrupt(path, lineNumber, "byte ids must be a permutation of 0..255");
        return ids;
    }

    private static bool TryId(ReadOnlySpan<char> s, out int id) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static InvalidDataException Corrupt(string path, int lineNumber, string message) =>
        new($"{path}:{lineNumber}: {message}");
}
