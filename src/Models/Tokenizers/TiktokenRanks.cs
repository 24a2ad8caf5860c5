using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace GenLab.Models.Tokenizers;

/// <summary>The <c>.tiktoken</c> rank format of openai/tiktoken: one token per line, <c>base64(bytes) rank</c>,
/// lowest rank merged first. Microsoft.ML.Tokenizers reads the same format.</summary>
public static class TiktokenRanks
{
    /// <summary>cl100k_base's special tokens (tiktoken <c>openai_public.py</c>).</summary>
    public static IReadOnlyDictionary<string, int> Cl100kSpecialTokens { get; } = new Dictionary<string, int>
    {
        ["<|endoftext|>"] = 100257,
        ["<|fim_prefix|>"] = 100258,
        ["<|fim_middle|>"] = 100259,
        ["<|fim_suffix|>"] = 100260,
        ["<|endofprompt|>"] = 100276,
    };

    /// <summary>Reads a <c>.tiktoken</c> stream; throws naming the line of a malformed entry. Also reads the variant
    /// that Microsoft.ML.Tokenizers' data packages embed: a first line <c>Capacity: N</c>, then bare
    /// <c>base64</c> lines whose rank is their position (0, 1, 2, …).</summary>
    public static Dictionary<byte[], int> Read(Stream stream)
    {
        var ranks = new Dictionary<byte[], int>(ByteSequenceComparer.Instance);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("Capacity: ", StringComparison.Ordinal))) continue;
            int space = line.IndexOf(' ');
            byte[] bytes;
            int rank;
            try
            {
                if (space == 0) throw new FormatException();
                bytes = Convert.FromBase64String(space < 0 ? line : line[..space]);
                rank = space < 0 ? ranks.Count : int.Parse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($".tiktoken line {lineNumber}: expected 'base64 rank', got '{Shorten(line)}'");
            }
            if (!ranks.TryAdd(bytes, rank))
                throw new InvalidDataException($".tiktoken line {lineNumber}: token listed twice");
        }
        return ranks;
    }

    /// <summary>Writes ranks as <c>.tiktoken</c> lines, lowest rank first.</summary>
    public static void Write(string path, IEnumerable<(byte[] Bytes, int Rank)> ranks)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var (bytes, rank) in ranks.OrderBy(r => r.Rank))
            writer.WriteLine($"{Convert.ToBase64String(bytes)} {rank.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>cl100k_base's ranks as shipped inside Microsoft.ML.Tokenizers.Data.Cl100kBase: the assembly embeds
    /// the <c>.tiktoken</c> file deflate-compressed as the resource <c>cl100k_base.tiktoken.deflate</c>.</summary>
    public static Dictionary<byte[], int> Cl100kFromPackage()
    {
        const string assemblyName = "Microsoft.ML.Tokenizers.Data.Cl100kBase", resource = "cl100k_base.tiktoken.deflate";
        var assembly = Assembly.Load(assemblyName);
        using var compressed = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assemblyName} has no resource '{resource}' (has: {string.Join(", ", assembly.GetManifestResourceNames())})");
        using var tiktoken = new DeflateStream(compressed, CompressionMode.Decompress);
        return Read(tiktoken);
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
