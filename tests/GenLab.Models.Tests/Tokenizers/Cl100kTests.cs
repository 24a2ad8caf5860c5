using GenLab.Models.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

/// <summary>Our GPT-4-regex BPE loaded with cl100k's ranks must be GPT-4's tokenizer, id for id.</summary>
public class Cl100kTests
{
    private static readonly Lazy<BytePairTokenizer> Ours = new(BytePairTokenizer.Cl100kFromPackage);
    private static readonly Lazy<TiktokenTokenizer> Reference = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    [Fact]
    public void Ours_EncodesVariedTextLikeMlTokenizers()
    {
        string text = TokenizerCorpus.Varied() + string.Join("\n", TokenizerCorpus.EdgeStrings) + "  trailing  \n\n";
        Assert.Equal(Reference.Value.EncodeToIds(text), Ours.Value.Encode(text));
        foreach (string edge in TokenizerCorpus.EdgeStrings)
            Assert.Equal(Reference.Value.EncodeToIds(edge), Ours.Value.Encode(edge));
    }

    [Fact]
    public void Ours_EncodesTinyShakespeareLikeMlTokenizers()
    {
        string? text = TokenizerCorpus.TinyShakespeare();
        if (text is null) return; // shared data folder absent: the varied-text test above still runs
        var ours = Ours.Value.Encode(text);
        Assert.Equal(Reference.Value.EncodeToIds(text), ours);
        Assert.Equal(text, Ours.Value.Decode(ours));
    }

    [Fact]
    public void EndOfText_WhenAllowed_Is100257()
    {
        Assert.Equal([100257], Ours.Value.Encode("<|endoftext|>", AllowedSpecial.All));
        Assert.Equal(Reference.Value.EncodeToIds("hi<|endoftext|>there"), Ours.Value.Encode("hi<|endoftext|>there", AllowedSpecial.All));
        Assert.Equal(100277, Ours.Value.VocabularySize);
    }

    [Fact]
    public void LectureSentence_Is18Tokens()
    {
        Assert.Equal(18, Ours.Value.Encode(TokenizerCorpus.Portuguese).Count);
        Assert.Equal(18, Reference.Value.EncodeToIds(TokenizerCorpus.Portuguese).Count);
    }

    [Fact]
    public void RecoveredMerges_RebuildEveryToken()
    {
        var tokenizer = Ours.Value;
        var merges = tokenizer.Merges;
        Assert.Equal(100256 - 256, merges.Count);
        for (int i = 0; i < merges.Count; i += 997)
            Assert.True(tokenizer.TokenBytes(256 + i).SequenceEqual([.. tokenizer.TokenBytes(merges[i].Left), .. tokenizer.TokenBytes(merges[i].Right)]));
    }
}
