using GenLab.Models.Data;
using GenLab.Models.Mlp;
using GenLab.Models.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Mlp;

public sealed class MlpCharModelTests
{
    private static readonly string[] Words = ["ana", "joão", "inês", "lúcia", "josé", "ana"];

    [Fact]
    public void Vocabulary_SortsDistinctCharacters_AfterTheBoundary()
    {
        var vocabulary = CharVocabulary.FromLines(Words);
        Assert.Equal(CharVocabulary.BoundaryDisplay, vocabulary.Symbols[0]);
        Assert.Equal(["a", "c", "i", "j", "l", "n", "o", "s", "ã", "é", "ê", "ú"], vocabulary.Symbols.Skip(1));
        Assert.Equal("joão", vocabulary.Decode(vocabulary.Encode("joão")));
    }

    [Fact]
    public void Vocabulary_UnknownCharacters_AreListedInTheError()
    {
        var vocabulary = CharVocabulary.FromLines(Words);
        var error = Assert.Throws<ArgumentException>(() => vocabulary.Encode("zé!"));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("'!'", error.Message);
    }

    [Fact]
    public void Vocabulary_SaveLoad_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vocab-{Guid.NewGuid():N}.json");
        try
        {
            var vocabulary = CharVocabulary.FromLines(Words);
            vocabulary.Save(path);
            Assert.Equal(vocabulary.Symbols, CharVocabulary.Load(path).Symbols);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Dataset_PadsWithBoundary_AndEndsEachLineWithIt()
    {
        var vocabulary = CharVocabulary.FromLines(["ab"]);
        using var data = new CharContextDataset(["ab"], vocabulary, contextLength: 2);
        // "ab" → (··→a), (·a→b), (ab→·): three examples.
        Assert.Equal(3, data.Count);
    }

    [Fact]
    public void Forward_GivesLogitsPerVocabularyEntry_AndStartsNearUniform()
    {
        manual_seed(1);
        var config = new MlpCharConfig { ContextLength = 3, EmbeddingDim = 4, HiddenSize = 8 };
        using var model = new MlpCharModel(config, vocabularySize: 20);
        using var scope = NewDisposeScope();
        var logits = model.call(zeros([5, 3], ScalarType.Int64));                 // (5, 20)
        Assert.Equal([5L, 20L], logits.shape);
        var loss = nn.functional.cross_entropy(logits, zeros([5], ScalarType.Int64)).item<float>();
        Assert.InRange(loss, Math.Log(20) - 0.3, Math.Log(20) + 0.3);
    }

    [Fact]
    public void Training_OnTinyCorpus_LowersLoss_AndSamplesAreDeterministicPerSeed()
    {
        manual_seed(2);
        var vocabulary = CharVocabulary.FromLines(Words);
        using var data = new CharContextDataset(Words, vocabulary, contextLength: 2);
        using var model = new MlpCharModel(new MlpCharConfig { ContextLength = 2, EmbeddingDim = 4, HiddenSize = 16 }, vocabulary.Size);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.02);
        var rng = new SplitMix64(3);
        float first = 0, last = 0;
        for (int step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (x, y) = data.Sample(rng, 16);
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 2, $"loss {first} -> {last}");

        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        var a = model.Sample(vocabulary, 5, 10, 1.0, g1);
        var b = model.Sample(vocabulary, 5, 10, 1.0, g2);
        Assert.Equal(a, b);
        Assert.All(a, s => Assert.True(s.Length <= 10));
    }
}
