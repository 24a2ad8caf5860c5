using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

public sealed class PretrainedTokenizerTests
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string encoding in new[] { "cl100k_base", "o200k_base" })
            foreach (string text in TokenizerCorpus.EdgeStrings.Append(TokenizerCorpus.Varied())) cases.Add(encoding, text);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeThenDecode_ReturnsTheText(string encoding, string text)
    {
        var tokenizer = PretrainedTokenizer.Create(encoding);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void SaveThenLoad_GivesTheSameEncoding()
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlab-pretrained-{Guid.NewGuid():N}.txt");
        try
        {
            PretrainedTokenizer.O200k().Save(path);
            var loaded = PretrainedTokenizer.Load(path);
            Assert.Equal("o200k_base", loaded.Encoding);
            Assert.Equal("gpt-4o o200k_base", loaded.Name);
            Assert.Equal(200019, loaded.VocabularySize);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Cl100k_HasGpt4Name()
    {
        var tokenizer = PretrainedTokenizer.Cl100k();
        Assert.Equal("gpt-4 cl100k_base", tokenizer.Name);
        Assert.Equal(100277, tokenizer.VocabularySize);
    }

    [Fact]
    public void Create_UnknownEncoding_NamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => PretrainedTokenizer.Create("p50k_base"));
        Assert.Contains("cl100k_base", e.Message);
    }
}
