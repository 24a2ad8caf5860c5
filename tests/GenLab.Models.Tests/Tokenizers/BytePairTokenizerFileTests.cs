using System.Text.RegularExpressions;
using GenLab.Models.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

public sealed class BytePairTokenizerFileTests : IDisposable
{
    private static readonly Dictionary<string, int> Specials = new() { ["<|endoftext|>"] = 500, ["<|pad|>"] = 501 };
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-bpe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(BpeSplit.None)]
    [InlineData(BpeSplit.Gpt2)]
    [InlineData(BpeSplit.Gpt4)]
    public void SaveThenLoad_GivesTheSameTokenizer(BpeSplit split)
    {
        var trained = BytePairTokenizer.Train(TokenizerCorpus.Varied(), 500, split, Specials);
        string path = Path.Combine(_dir, "tok.txt");
        trained.Save(path);
        var loaded = BytePairTokenizer.Load(path);

        Assert.Equal(trained.Name, loaded.Name);
        Assert.Equal(trained.Merges, loaded.Merges);
        Assert.Equal(trained.SpecialTokens.OrderBy(s => s.Value), loaded.SpecialTokens.OrderBy(s => s.Value));
        string text = TokenizerCorpus.Varied() + "<|pad|>";
        Assert.Equal(trained.Encode(text, AllowedSpecial.All), loaded.Encode(text, AllowedSpecial.All));
        Assert.StartsWith("genlab-tokenizer bpe v1\n", File.ReadAllText(path));
    }

    [Fact]
    public void ExportTiktoken_LoadedByMlTokenizers_EncodesIdentically()
    {
        var specials = new Dictionary<string, int> { ["<|endoftext|>"] = 600, ["<|pad|>"] = 601 };
        var ours = BytePairTokenizer.Train(TokenizerCorpus.Varied(), 600, BpeSplit.Gpt4, specials);
        string saved = Path.Combine(_dir, "tok.txt"), ranks = Path.Combine(_dir, "tok.tiktoken");
        ours.Save(saved);
        ours = BytePairTokenizer.Load(saved);
        ours.ExportTiktoken(ranks);

        using var stream = File.OpenRead(ranks);
        var ml = TiktokenTokenizer.Create(stream, new RegexPreTokenizer(new Regex(BpeSplitPatterns.Gpt4), specials), normalizer: null, specials);
        string text = TokenizerCorpus.Varied() + "<|endoftext|>" + string.Join(' ', TokenizerCorpus.EdgeStrings);
        Assert.Equal(ml.EncodeToIds(text), ours.Encode(text, AllowedSpecial.All));

        // And back: our encoder built from the exported ranks is the same tokenizer.
        using var again = File.OpenRead(ranks);
        var reloaded = BytePairTokenizer.FromTiktokenRanks(again, BpeSplit.Gpt4, specials);
        Assert.Equal(ours.Merges, reloaded.Merges);
    }

    [Fact]
    public void Load_BadMergeLine_ReportsLineNumber()
    {
        string path = Path.Combine(_dir, "tok.txt");
        BytePairTokenizer.Train("aaabdaaabac", 259, BpeSplit.None).Save(path);
        var lines = File.ReadAllLines(path); // header, split, bytes, specials 0, merges 3, then the merges (line 6..8)
        lines[6] = "97 banana";
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        Assert.Contains(":7:", e.Message);
        Assert.Contains("merge 1", e.Message);
    }

    [Fact]
    public void Load_MergeUsingLaterId_ReportsLineNumber()
    {
        string path = Path.Combine(_dir, "tok.txt");
        BytePairTokenizer.Train("aaabdaaabac", 259, BpeSplit.None).Save(path);
        var lines = File.ReadAllLines(path);
        lines[5] = "258 97";
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        Assert.Contains(":6:", e.Message);
        Assert.Contains("not defined before it", e.Message);
    }

    [Fact]
    public void Load_WrongVersion_SaysWhichVersions()
    {
        string path = Path.Combine(_dir, "tok.txt");
        File.WriteAllText(path, "genlab-tokenizer bpe v2\nsplit gpt4\n");
        var e = Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        Assert.Contains("v2", e.Message);
        Assert.Contains("reads v1", e.Message);
    }

    [Fact]
    public void Load_UnknownSplit_ReportsLineNumber()
    {
        string path = Path.Combine(_dir, "tok.txt");
        File.WriteAllText(path, "genlab-tokenizer bpe v1\nsplit gpt5\nbytes identity\nspecials 0\nmerges 0\n");
        var e = Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        Assert.Contains(":2:", e.Message);
        Assert.Contains("unknown split 'gpt5'", e.Message);
    }

    [Fact]
    public void TiktokenRanks_BadLine_ReportsLineNumber()
    {
        using var stream = new MemoryStream("IQ== 0\nnot base64! 1\n"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => TiktokenRanks.Read(stream));
        Assert.Contains("line 2", e.Message);
    }
}
