using GenLab.Models.Language;
using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Language;

public sealed class TokenStreamTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("genlab-tokenstream-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteText(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_SecondTime_ReadsTheCacheAndGivesTheSameIds()
    {
        string text = "o modelo prevê o próximo token.\nação!";
        string path = WriteText("a.txt", text);
        var tokenizer = CharTokenizer.FromCorpus(text);
        string cache = Path.Combine(_folder, "cache");

        var first = TokenStream.Load(path, tokenizer, cache);
        var second = TokenStream.Load(path, tokenizer, cache);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.True(File.Exists(first.CachePath));
        Assert.Equal(first.CachePath, second.CachePath);
        Assert.EndsWith(".tokens", first.CachePath);
        Assert.Equal(tokenizer.Encode(text), first.Ids);
        Assert.Equal(first.Ids, second.Ids);
        Assert.Empty(Directory.GetFiles(cache, "*.tmp"));
    }

    [Fact]
    public void Load_WithAnotherTokenizerOrText_MissesTheCache()
    {
        string path = WriteText("a.txt", "abcabc");
        string cache = Path.Combine(_folder, "cache");
        var first = TokenStream.Load(path, CharTokenizer.FromCorpus("abc"), cache);

        var otherTokenizer = TokenStream.Load(path, CharTokenizer.FromCorpus("abcd"), cache);
        File.WriteAllText(path, "abcab");
        var otherText = TokenStream.Load(path, CharTokenizer.FromCorpus("abc"), cache);

        Assert.False(otherTokenizer.FromCache);
        Assert.False(otherText.FromCache);
        Assert.Equal(3, new HashSet<string>([first.CachePath, otherTokenizer.CachePath, otherText.CachePath]).Count);
    }

    [Fact]
    public void OfText_GivesTheIdsAndCacheOfAFileHoldingTheText()
    {
        string text = "o modelo prevê o próximo token.\n\nação!\n\n";
        var tokenizer = CharTokenizer.FromCorpus(text);
        string cache = Path.Combine(_folder, "cache");
        var fromFile = TokenStream.Load(WriteText("a.txt", text), tokenizer, cache);
        var fromText = TokenStream.OfText(text, tokenizer, cache);
        Assert.True(fromText.FromCache);
        Assert.Equal(fromFile.CachePath, fromText.CachePath);
        Assert.Equal(fromFile.Ids, fromText.Ids);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bad-magic")]
    [InlineData("id-out-of-vocabulary")]
    [InlineData("empty")]
    public void Load_WhenCacheIsCorrupt_RebuildsIt(string corruption)
    {
        string text = "tokens e embeddings";
        string path = WriteText("a.txt", text);
        var tokenizer = CharTokenizer.FromCorpus(text);
        string cache = Path.Combine(_folder, "cache");
        var first = TokenStream.Load(path, tokenizer, cache);
        byte[] bytes = File.ReadAllBytes(first.CachePath);
        switch (corruption)
        {
            case "truncated": bytes = bytes[..^3]; break;
            case "bad-magic": bytes[0] = (byte)'X'; break;
            case "id-out-of-vocabulary": bytes[12] = 0xFF; bytes[13] = 0xFF; break;
            default: bytes = []; break;
        }
        File.WriteAllBytes(first.CachePath, bytes);

        var rebuilt = TokenStream.Load(path, tokenizer, cache);
        var again = TokenStream.Load(path, tokenizer, cache);

        Assert.False(rebuilt.FromCache);
        Assert.Equal(first.Ids, rebuilt.Ids);
        Assert.True(again.FromCache);
        Assert.Equal(first.Ids, again.Ids);
    }

    [Fact]
    public void Load_WithBytePairTokenizer_RoundTrips()
    {
        string text = string.Concat(Enumerable.Repeat("o transformer usa atenção; a atenção usa softmax. ", 20));
        string path = WriteText("a.txt", text);
        var tokenizer = BytePairTokenizer.Train(text, 270, BpeSplit.Gpt4);
        var loaded = TokenStream.Load(path, tokenizer, _folder);
        var cached = TokenStream.Load(path, tokenizer, _folder);
        Assert.True(cached.FromCache);
        Assert.Equal(text, tokenizer.Decode(cached.Ids));
        Assert.Equal(loaded.Ids, cached.Ids);
    }
}
