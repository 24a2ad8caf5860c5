using System.Text.Json.Nodes;
using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

public sealed class TokenizerExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-tokenizer-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ByteToUnicode_IsGpt2sTable()
    {
        var table = TokenizerExport.ByteToUnicode();
        Assert.Equal(256, table.Distinct().Count());
        Assert.Equal("A", table['A']);
        Assert.Equal("Ġ", table[' ']);          // GPT-2 spells a leading space Ġ (U+0120)
        Assert.Equal("Ċ", table['\n']);         // and a newline Ċ (U+010A)
    }

    [Fact]
    public void ByteLevelBpe_TokenizerJson_SpellsEveryTokensBytes_AndListsEveryMerge()
    {
        var bpe = BytePairTokenizer.Train(string.Concat(Enumerable.Repeat("a preguiça é lenta; o bicho-preguiça dorme. ", 20)), 280, BpeSplit.Gpt4,
            new Dictionary<string, int> { ["<|endoftext|>"] = 280 });
        string path = Path.Combine(_dir, "tokenizer.json");
        Assert.True(TokenizerExport.TryWriteHuggingFace(bpe, path));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var model = json["model"]!;
        Assert.Equal("BPE", model["type"]!.GetValue<string>());
        var vocab = model["vocab"]!.AsObject();
        Assert.Equal(bpe.MergeableCount, vocab.Count);
        Assert.Equal(bpe.MergeableCount - 256, model["merges"]!.AsArray().Count);
        var back = TokenizerExport.ByteToUnicode().Select((s, b) => (s[0], (byte)b)).ToDictionary(p => p.Item1, p => p.Item2);
        foreach (var (spelling, id) in vocab)
            Assert.Equal(bpe.TokenBytes(id!.GetValue<int>()).ToArray(), spelling.Select(c => back[c]).ToArray());
        Assert.Equal("<|endoftext|>", json["added_tokens"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(280, json["added_tokens"]![0]!["id"]!.GetValue<int>());
        Assert.Equal(BpeSplitPatterns.Gpt4, json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"]!.GetValue<string>());

        string tiktoken = Path.Combine(_dir, "tokenizer.tiktoken");
        Assert.True(TokenizerExport.TryWriteTiktoken(bpe, tiktoken));
        using var stream = File.OpenRead(tiktoken);
        Assert.Equal(bpe.MergeableCount, TiktokenRanks.Read(stream).Count);
    }

    [Fact]
    public void Words_AndCharacters_BecomeWordLevel_AndMergelessBpe()
    {
        var words = WordTokenizer.FromCorpus("A preguiça dorme. A preguiça come.", Punctuation.Separate, lowercase: true);
        string path = Path.Combine(_dir, "words.json");
        Assert.True(TokenizerExport.TryWriteHuggingFace(words, path));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("WordLevel", json["model"]!["type"]!.GetValue<string>());
        Assert.Equal(words.VocabularySize, json["model"]!["vocab"]!.AsObject().Count);
        Assert.Equal("Lowercase", json["normalizer"]!["type"]!.GetValue<string>());

        var chars = CharTokenizer.FromCorpus("preguiça");
        Assert.True(TokenizerExport.TryWriteHuggingFace(chars, path));
        json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Empty(json["model"]!["merges"]!.AsArray());
        Assert.Equal(chars.VocabularySize, json["model"]!["vocab"]!.AsObject().Count);
        Assert.False(TokenizerExport.TryWriteTiktoken(chars, Path.Combine(_dir, "x.tiktoken")));
    }
}
