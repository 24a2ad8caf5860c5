using GenLab.Models.Data;
using GenLab.Models.Embeddings;

namespace GenLab.Models.Tests.Embeddings;

public sealed class Word2VecTests
{
    private static readonly string[] Colors = ["vermelho", "azul", "verde", "amarelo"];
    private static readonly string[] Tools = ["lápis", "caneta", "borracha", "régua"];
    private static readonly string[] Filler = ["o", "a", "de", "e", "um"];

    /// <summary>Sentences that mix words of one group only, plus shared filler: colours never meet tools.</summary>
    private static List<string[]> TwoGroupCorpus(int sentences, long seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var corpus = new List<string[]>();
        for (int s = 0; s < sentences; s++)
        {
            var group = s % 2 == 0 ? Colors : Tools;
            var sentence = new string[8];
            for (int i = 0; i < sentence.Length; i++)
                sentence[i] = i % 3 == 2 ? Filler[rng.NextInt64(Filler.Length)] : group[rng.NextInt64(group.Length)];
            corpus.Add(sentence);
        }
        return corpus;
    }

    [Fact]
    public void NegativeTable_ProbabilitiesAndDraws_FollowUnigramToTheThreeQuarters()
    {
        long[] counts = [1000, 300, 100, 10, 1];
        var table = new NegativeSamplingTable(counts);
        double z = counts.Sum(c => Math.Pow(c, 0.75));
        var hits = new int[counts.Length];
        var rng = new SplitMix64(42);
        const int draws = 400_000;
        for (int i = 0; i < draws; i++) hits[table.Sample(rng)]++;
        for (int i = 0; i < counts.Length; i++)
        {
            double expected = Math.Pow(counts[i], 0.75) / z;
            Assert.Equal(expected, table.Probabilities[i], 12);
            Assert.InRange((double)hits[i] / draws, expected - 0.004, expected + 0.004);
        }
    }

    [Fact]
    public void NegativeTable_DrawsFromWord2VecCsGenerator_FollowUnigramToTheThreeQuarters()
    {
        long[] counts = [1000, 300, 100, 10, 1];
        var table = new NegativeSamplingTable(counts);
        var hits = new int[counts.Length];
        ulong random = 7;
        const int draws = 400_000;
        for (int i = 0; i < draws; i++) hits[table.Sample(Word2VecHogwild.Next(ref random))]++;
        for (int i = 0; i < counts.Length; i++)
            Assert.InRange((double)hits[i] / draws, table.Probabilities[i] - 0.004, table.Probabilities[i] + 0.004);
    }

    [Fact]
    public void ExpTable_IsWithinItsStepOfTheSigmoid_AndSaturatesOutsideSix()
    {
        // Step 12/1000 times σ's largest slope 1/4: 0.003; outside ±6 the table says 0 or 1 (σ(6) = 0.99753).
        for (float f = -5.999f; f < 6; f += 0.001f)
            Assert.InRange(ExpTable.Sigmoid(f) - 1 / (1 + Math.Exp(-f)), -0.0031, 0.0031);
        Assert.Equal(1f, ExpTable.Sigmoid(6));
        Assert.Equal(1f, ExpTable.Sigmoid(40));
        Assert.Equal(0f, ExpTable.Sigmoid(-6));
        Assert.Equal(0f, ExpTable.Sigmoid(-40));
        Assert.Equal(0f, ExpTable.Sigmoid(float.NaN));
        Assert.Equal(0.5, ExpTable.Sigmoid(0), 2);
    }

    [Fact]
    public void LearningRate_DecaysLinearlyToMinAlpha_ThenStays()
    {
        Assert.Equal(0.025, Word2VecModel.LearningRate(0.025, 2.5e-6, 0, 1000), 12);
        Assert.Equal((0.025 + 2.5e-6) / 2, Word2VecModel.LearningRate(0.025, 2.5e-6, 500, 1000), 12);
        Assert.Equal(0.025 - (0.025 - 2.5e-6) * 0.9, Word2VecModel.LearningRate(0.025, 2.5e-6, 900, 1000), 12);
        Assert.Equal(2.5e-6, Word2VecModel.LearningRate(0.025, 2.5e-6, 1000, 1000), 12);
        Assert.Equal(2.5e-6, Word2VecModel.LearningRate(0.025, 2.5e-6, 1500, 1000), 12);
        // word2vec.c's floor by default: alpha·1e-4.
        Assert.Equal(2.5e-6, new Word2VecConfig().EffectiveMinAlpha, 15);
        Assert.Equal(5e-6, new Word2VecConfig { Architecture = Word2VecArchitecture.Cbow }.EffectiveMinAlpha, 15);
        Assert.Equal(0.001, new Word2VecConfig { MinAlpha = 0.001 }.EffectiveMinAlpha);
    }

    [Fact]
    public void KeepProbability_MatchesWord2VecCFormula_OnHandComputedNumbers()
    {
        // sample·total = 1e-3 · 1,000,000 = 1000. count 4000: (sqrt(4) + 1) · 1000 / 4000 = 0.75.
        Assert.Equal(0.75, Word2VecModel.KeepProbability(4000, 1_000_000, 1e-3), 12);
        // count 1000: (1 + 1) · 1000/1000 = 2 → always kept. count 100,000: (10 + 1) · 1000 / 100000 = 0.11.
        Assert.Equal(2.0, Word2VecModel.KeepProbability(1000, 1_000_000, 1e-3), 12);
        Assert.Equal(0.11, Word2VecModel.KeepProbability(100_000, 1_000_000, 1e-3), 12);
        Assert.Equal(1.0, Word2VecModel.KeepProbability(100_000, 1_000_000, 0));
    }

    [Fact]
    public void Vocabulary_DropsRareWords_AndSortsByCountThenOrdinal()
    {
        string[][] sentences = [["b", "a", "c", "a"], ["b", "d", "a", "c"], ["e"]];
        var vocabulary = Word2VecVocabulary.Build(sentences, minCount: 2);
        Assert.Equal(["a", "b", "c"], vocabulary.Words);                  // a×3, then b×2 and c×2 by ordinal
        Assert.Equal(3, vocabulary.Count("a"));
        Assert.Equal(0, vocabulary.Count("d"));
        Assert.Equal(-1, vocabulary.IndexOf("e"));
        Assert.Equal(1, vocabulary.IndexOf("b"));
        Assert.Equal(7, vocabulary.TotalCount);
        Word2VecVocabulary.Build(sentences, 2, out var corpus);
        Assert.Equal([1, 0, 2, 0, 1, 0, 2], corpus.Words);                   // d and e dropped, as word2vec.c does
        Assert.Equal([0, 4, 7, 7], corpus.Starts);
    }

    [Fact]
    public void Vocabulary_EmptyCorpusOrNothingAboveMinCount_Throws()
    {
        var empty = Assert.Throws<InvalidDataException>(() => Word2VecVocabulary.Build([[], []], 1));
        Assert.Contains("no words", empty.Message);
        var rare = Assert.Throws<InvalidDataException>(() => Word2VecVocabulary.Build([["a", "b"]], 5));
        Assert.Contains("min_count = 5", rare.Message);
    }

    [Fact]
    public void Validate_NamesTheBadKeys()
    {
        var issues = new Word2VecConfig { Window = 0, Size = 0, Negative = -1, Sample = -1, MinCount = 0, Epochs = 0, Alpha = 0 }
            .Validate().ToList();
        Assert.Contains(issues, i => i.Key == "window" && i.Message == "window must be >= 1");
        Assert.Equal(["size", "window", "negative", "sample", "min_count", "epochs", "alpha"], issues.Select(i => i.Key));
        Assert.Equal(["trainer", "min_alpha", "workers"], new Word2VecConfig { Trainer = (Word2VecTrainer)7, MinAlpha = 0.5, Workers = 0 }
            .Validate().Select(i => i.Key));
        Assert.Equal("min_alpha must be <= alpha (0.025)", new Word2VecConfig { MinAlpha = 0.5 }.Validate().Single().Message);
        Assert.Equal(Environment.ProcessorCount, new Word2VecConfig().EffectiveWorkers);
        Assert.Equal(1, new Word2VecConfig { Trainer = Word2VecTrainer.Torch }.EffectiveWorkers);
        Assert.Empty(new Word2VecConfig().Validate());
        Assert.Equal(0.025, new Word2VecConfig().EffectiveAlpha);
        Assert.Equal(0.05, new Word2VecConfig { Architecture = Word2VecArchitecture.Cbow }.EffectiveAlpha);
        Assert.Throws<ArgumentException>(() => Word2VecModel.Train(TwoGroupCorpus(10, 1), new Word2VecConfig { Window = 0 }, 1));
    }

    [Theory]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.SkipGram, 1, true)]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.SkipGram, 1, false)]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.Cbow, 1, true)]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.SkipGram, 2, true)]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.Cbow, 2, true)]
    [InlineData(Word2VecTrainer.Torch, Word2VecArchitecture.SkipGram, 1, true)]
    [InlineData(Word2VecTrainer.Torch, Word2VecArchitecture.Cbow, 1, true)]
    [InlineData(Word2VecTrainer.Torch, Word2VecArchitecture.SkipGram, 2, true)]
    public void Train_TwoGroupCorpus_PutsAColourNextToAColour(Word2VecTrainer trainer, Word2VecArchitecture architecture, int workers, bool shared)
    {
        var config = new Word2VecConfig
        {
            Trainer = trainer, Architecture = architecture, Size = 16, Window = 3, MinCount = 1, Sample = 0, Epochs = 10, BatchSize = 64,
            Workers = workers, SharedNegatives = shared,
        };
        var progress = new List<Word2VecProgress>();
        using var model = Word2VecModel.Train(TwoGroupCorpus(600, 3), config, seed: 5, progress.Add);
        foreach (var colour in Colors)
            Assert.Contains(model.Nearest(colour, 1)[0].Word, Colors);
        foreach (var tool in Tools)
            Assert.Contains(model.Nearest(tool, 1)[0].Word, Tools);
        Assert.InRange(progress.Count, 10, 60);
        Assert.Equal(progress[^1].TotalWords, progress[^1].WordsProcessed);
        Assert.True(progress[^1].Loss < progress[0].Loss || double.IsNaN(progress[0].Loss));
    }

    [Theory]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.SkipGram)]
    [InlineData(Word2VecTrainer.Hogwild, Word2VecArchitecture.Cbow)]
    [InlineData(Word2VecTrainer.Torch, Word2VecArchitecture.SkipGram)]
    public void Train_OneWorkerSameSeed_GivesIdenticalVectors(Word2VecTrainer trainer, Word2VecArchitecture architecture)
    {
        var corpus = TwoGroupCorpus(200, 9);
        var config = new Word2VecConfig { Trainer = trainer, Architecture = architecture, Size = 8, MinCount = 1, Epochs = 2, BatchSize = 32, Workers = 1 };
        using var a = Word2VecModel.Train(corpus, config, seed: 11);
        using var b = Word2VecModel.Train(corpus, config, seed: 11);
        using var c = Word2VecModel.Train(corpus, config, seed: 12);
        Assert.Equal(a.Vectors.data<float>().ToArray(), b.Vectors.data<float>().ToArray());
        Assert.NotEqual(a.Vectors.data<float>().ToArray(), c.Vectors.data<float>().ToArray());
    }

    [Fact]
    public void Train_WhenProgressThrowsOnAWorkerThread_RethrowsToTheCaller()
    {
        var config = new Word2VecConfig { Size = 8, MinCount = 1, Epochs = 2, Workers = 2 };
        var error = Assert.Throws<IOException>(() => Word2VecModel.Train(TwoGroupCorpus(200, 4), config, 1, _ => throw new IOException("disk full")));
        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public void Train_LongSentence_IsTrainedInPiecesWithoutError()
    {
        // 2,500 words in one sentence: more than word2vec.c's 1,000-word MAX_SENTENCE_LENGTH.
        var sentence = TwoGroupCorpus(320, 6).SelectMany(s => s).Take(2500).ToArray();
        using var model = Word2VecModel.Train([sentence], new Word2VecConfig { Size = 8, MinCount = 1, Epochs = 1, Workers = 1 }, 2);
        Assert.True(model.Vectors.isfinite().all().item<bool>());
    }

    [Fact]
    public void SaveText_LoadText_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"w2v-{Guid.NewGuid():N}.txt");
        try
        {
            using var model = Word2VecModel.Train(TwoGroupCorpus(100, 2), new Word2VecConfig { Size = 6, MinCount = 1, Epochs = 1, Workers = 1 }, 3);
            model.SaveText(path);
            Assert.StartsWith($"{model.Vocabulary.Size} 6\n", File.ReadAllText(path));
            using var loaded = Word2VecModel.LoadText(path);
            Assert.Equal(model.Vocabulary.Words, loaded.Vocabulary.Words);
            var expected = model.Vectors.data<float>().ToArray();
            var actual = loaded.Vectors.data<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("2 3\na 1 2 3\nb 1 2\n", ":3:", "expected a word and 3 values, found 2")]
    [InlineData("2 2\na 1 2\nb 1 x2\n", ":3:", "\"x2\", is not a number")]
    [InlineData("2 2\na 1 2\n", ":3:", "file ends after 1")]
    [InlineData("two 2\na 1 2\n", ":1:", "header")]
    public void LoadText_BadFile_NamesFileAndLine(string text, string line, string message)
    {
        string path = Path.Combine(Path.GetTempPath(), $"w2v-bad-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, text);
            var error = Assert.Throws<InvalidDataException>(() => Word2VecModel.LoadText(path));
            Assert.Contains(path + line, error.Message);
            Assert.Contains(message, error.Message);
        }
        finally { File.Delete(path); }
    }
}
