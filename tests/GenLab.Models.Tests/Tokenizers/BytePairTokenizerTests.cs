using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

public class BytePairTokenizerTests
{
    private static readonly Lazy<Dictionary<BpeSplit, BytePairTokenizer>> Trained = new(() =>
        Enum.GetValues<BpeSplit>().ToDictionary(split => split,
            split => BytePairTokenizer.Train(TokenizerCorpus.Varied(), 400, split, new Dictionary<string, int> { ["<|endoftext|>"] = 400 })));

    public static TheoryData<BpeSplit, string> RoundTripCases()
    {
        var cases = new TheoryData<BpeSplit, string>();
        foreach (var split in Enum.GetValues<BpeSplit>())
            foreach (string text in TokenizerCorpus.EdgeStrings) cases.Add(split, text);
        return cases;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void EncodeThenDecode_ReturnsTheText(BpeSplit split, string text)
    {
        var tokenizer = Trained.Value[split];
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Theory]
    [InlineData(BpeSplit.None)]
    [InlineData(BpeSplit.Gpt2)]
    [InlineData(BpeSplit.Gpt4)]
    public void EncodeThenDecode_OfAWholeFile_ReturnsIt(BpeSplit split)
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlab-bpe-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, TokenizerCorpus.Varied() + "tail without newline");
            string text = File.ReadAllText(path);
            var tokenizer = Trained.Value[split];
            var ids = tokenizer.Encode(text);
            Assert.True(ids.Count < text.Length, "BPE should compress text it was trained on");
            Assert.Equal(text, tokenizer.Decode(ids));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Train_OnWikipediaExample_LearnsThreeMergesAndEncodesKnownAnswer()
    {
        var tokenizer = BytePairTokenizer.Train("aaabdaaabac", 259, BpeSplit.None);
        Assert.Equal([(97, 97), (97, 98), (256, 257)], tokenizer.Merges);
        Assert.Equal([258, 100, 258, 97, 99], tokenizer.Encode("aaabdaaabac"));
        Assert.Equal("bpe no-split 259", tokenizer.Name);
        Assert.Equal(259, tokenizer.VocabularySize);
    }

    [Fact]
    public void Train_OverlappingRun_MergesLeftToRight()
    {
        // "aaaaa" → (aa)(aa)a, as minbpe's merge() scans; right to left would give a(aa)(aa) and a merge (97, 256).
        // Then (256, 256) and (256, 97) both occur once: the tie goes to the smaller pair.
        var tokenizer = BytePairTokenizer.Train("aaaaa", 258, BpeSplit.None);
        Assert.Equal([(97, 97), (256, 97)], tokenizer.Merges);
        Assert.Equal([256, 257], tokenizer.Encode("aaaaa"));
    }

    [Fact]
    public void Train_IsDeterministic()
    {
        var a = BytePairTokenizer.Train(TokenizerCorpus.Varied(), 350, BpeSplit.Gpt4);
        var b = BytePairTokenizer.Train(TokenizerCorpus.Varied(), 350, BpeSplit.Gpt4);
        Assert.Equal(a.Merges, b.Merges);
    }

    [Fact]
    public void Encode_AllowedSpecial_BecomesItsId()
    {
        var tokenizer = Trained.Value[BpeSplit.Gpt4];
        var ids = tokenizer.Encode("end<|endoftext|>start", AllowedSpecial.All);
        Assert.Contains(400, ids);
        Assert.Equal(ids, tokenizer.Encode("end<|endoftext|>start", AllowedSpecial.Of("<|endoftext|>")));
        Assert.Equal("end<|endoftext|>start", tokenizer.Decode(ids));
        Assert.Equal(401, tokenizer.VocabularySize);
    }

    [Fact]
    public void Encode_DisallowedSpecial_ThrowsNamingItAndHowToAllowIt()
    {
        var tokenizer = Trained.Value[BpeSplit.Gpt4];
        var e = Assert.Throws<ArgumentException>(() => tokenizer.Encode("end<|endoftext|>start"));
        Assert.Contains("'<|endoftext|>'", e.Message);
        Assert.Contains("AllowedSpecial.All", e.Message);
        Assert.Throws<ArgumentException>(() => tokenizer.Encode("x<|endoftext|>", AllowedSpecial.Of("<|other|>")));
        Assert.DoesNotContain(400, tokenizer.EncodeOrdinary("x<|endoftext|>"));
    }

    [Fact]
    public void Decode_LoneContinuationByte_GivesReplacementCharacter()
    {
        var tokenizer = Trained.Value[BpeSplit.None];
        Assert.Equal("\uFFFD", tokenizer.Decode([0x80]));
        Assert.Equal("a\uFFFDb", tokenizer.Decode([97, 0xE2, 0x82, 98])); // truncated 3-byte sequence
    }

    [Theory]
    [InlineData(255, "at least 256")]
    [InlineData(256, "no merges to learn")]
    public void Train_BadVocabSize_ThrowsClearMessage(int vocabSize, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => BytePairTokenizer.Train("some text", vocabSize, BpeSplit.Gpt4));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Train_EmptyCorpus_ThrowsClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => BytePairTokenizer.Train("", 300, BpeSplit.Gpt4));
        Assert.Contains("corpus is empty", e.Message);
    }

    [Fact]
    public void Train_MoreMergesThanPairs_ThrowsClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => BytePairTokenizer.Train("abc", 300, BpeSplit.None));
        Assert.Contains("no adjacent pair left", e.Message);
        Assert.Contains("vocabSize <= 258", e.Message);
    }

    [Fact]
    public void Train_SpecialIdInsideMerges_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BytePairTokenizer.Train("aaabdaaabac", 259, BpeSplit.None, new Dictionary<string, int> { ["<|eot|>"] = 257 }));
        Assert.Contains("belongs to a byte or merge", e.Message);
    }

    [Fact]
    public void LongChunk_HeapMerge_MatchesTiktokenScan()
    {
        // No-split mode sends the whole text through the O(n log n) heap merge; compare with a plain transcription
        // of tiktoken's byte_pair_merge over the same ranks.
        var tokenizer = Trained.Value[BpeSplit.None];
        string text = TokenizerCorpus.Varied()[..1500];
        var ranks = new Dictionary<string, int>();
        for (int id = 0; id < tokenizer.MergeableCount; id++) ranks.TryAdd(Convert.ToHexString(tokenizer.TokenBytes(id)), id);
        Assert.Equal(ReferenceMerge(System.Text.Encoding.UTF8.GetBytes(text), ranks), tokenizer.Encode(text));
    }

    private static List<int> ReferenceMerge(byte[] piece, Dictionary<string, int> ranks)
    {
        var parts = Enumerable.Range(0, piece.Length + 1).ToList();
        int Rank(int from, int to) => ranks.TryGetValue(Convert.ToHexString(piece, from, to - from), out int r) ? r : int.MaxValue;
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 2 < parts.Count; i++)
            {
                int r = Rank(parts[i], parts[i + 2]);
                if (r < bestRank) { bestRank = r; best = i; }
            }
            if (best < 0) break;
            parts.RemoveAt(best + 1);
        }
        return [.. parts.Zip(parts.Skip(1), (from, to) => ranks[Convert.ToHexString(piece, from, to - from)])];
    }
}
