using GenLab.Models.Gpt;
using GenLab.Models.Tests.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Gpt;

[Collection(nameof(GlobalTorchRngCollection))]
public sealed class GptTests
{
    private static readonly GptConfig Tiny = new() { VocabSize = 11, BlockSize = 8, Layers = 2, Heads = 2, EmbeddingDim = 16 };

    private static GptModel NewModel(GptConfig? config = null, int seed = 1)
    {
        manual_seed(seed);
        return new GptModel(config ?? Tiny);
    }

    [Fact]
    public void Forward_GivesLogitsPerPosition_AndLossStartsNearLnV()
    {
        using var model = NewModel(Tiny with { VocabSize = 50 });
        using var scope = NewDisposeScope();
        var idx = randint(0, 50, [3, 8], ScalarType.Int64);                   // (3, 8)
        var logits = model.call(idx);                                          // (3, 8, 50)
        Assert.Equal([3L, 8L, 50L], logits.shape);
        float loss = model.Loss(logits, randint(0, 50, [3, 8], ScalarType.Int64)).item<float>();
        Assert.InRange(loss, Math.Log(50) - 0.3, Math.Log(50) + 0.3);
    }

    [Fact]
    public void Loss_HonoursIgnoreIndex()
    {
        using var model = NewModel();
        using var scope = NewDisposeScope();
        var logits = model.call(tensor(new long[] { 1, 2, 3, 4 }, [1, 4]));   // (1, 4, V)
        var targets = tensor(new long[] { 5, -100, -100, 6 }, [1, 4]);
        var expected = nn.functional.cross_entropy(logits[0].index_select(0, tensor(new long[] { 0, 3 })), tensor(new long[] { 5, 6 }));
        Assert.Equal(expected.item<float>(), model.Loss(logits, targets).item<float>(), 1e-5f);
    }

    [Fact]
    public void Forward_IsCausal_ChangingTokenTNeverChangesEarlierLogits()
    {
        using var model = NewModel();
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [1, 8]);
        var baseline = model.call(a);                                          // (1, 8, V)
        for (int t = 0; t < 8; t++)
        {
            var b = a.clone();
            b[0, t] = tensor(10L);
            var changed = model.call(b);
            if (t > 0) Assert.True(baseline[.., ..t].allclose(changed[.., ..t], rtol: 0, atol: 1e-6), $"t={t}");
            Assert.False(baseline[.., t].allclose(changed[.., t]), $"position {t} should see its own token");
        }
    }

    [Fact]
    public void Forward_LongerThanBlockSize_NamesBoth()
    {
        using var model = NewModel();
        var error = Assert.Throws<ArgumentException>(() => model.call(zeros([1, 9], ScalarType.Int64)));
        Assert.Contains("9", error.Message);
        Assert.Contains("block_size 8", error.Message);
    }

    [Fact]
    public void Config_EmbeddingDimNotDivisibleByHeads_IsNamed()
    {
        var issues = (Tiny with { EmbeddingDim = 130, Heads = 4 }).Validate().ToList();
        var issue = Assert.Single(issues);
        Assert.Equal("embedding_dim", issue.Key);
        Assert.Equal("embedding_dim 130 is not divisible by heads 4", issue.Message);
        Assert.Throws<ArgumentException>(() => new GptModel(Tiny with { EmbeddingDim = 130, Heads = 4 }));
        Assert.Contains((Tiny with { VocabSize = 0 }).ValidateForBuild(), i => i.Key == "vocab_size");
        Assert.Empty((Tiny with { VocabSize = 0 }).Validate());
        Assert.Contains((Tiny with { Dropout = 1.0 }).Validate(), i => i.Key == "dropout");
    }

    [Fact]
    public void ParameterNames_MatchGpt2_AndTyingSharesStorage()
    {
        using var model = NewModel(Tiny with { Layers = 1 });
        var names = model.named_parameters().Select(p => p.name).ToList();
        string[] expected =
        [
            "transformer.wte.weight", "transformer.wpe.weight",
            "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
            "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
            "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
            "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
            "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias",
            "transformer.ln_f.weight", "transformer.ln_f.bias",
        ];
        Assert.Equal(expected.Order(), names.Where(n => n != "lm_head.weight").Order());
        var wte = model.get_parameter("transformer.wte.weight")!;
        var head = model.get_parameter("lm_head.weight")!;
        using (no_grad()) wte.add_(1.0);                                      // writes through to the head
        Assert.True(wte.eq(head).all().item<bool>());
        // The optimizer must see the shared tensor once.
        Assert.Equal(model.parameters().Count(), model.parameters().Select(p => p.Handle).Distinct().Count());

        using var untied = NewModel(Tiny with { Layers = 1, TieWeights = false });
        Assert.False(untied.get_parameter("transformer.wte.weight")!.eq(untied.get_parameter("lm_head.weight")!).all().item<bool>());
    }

    [Fact]
    public void TinyModel_OverfitsTinyText()
    {
        const string text = "the quick brown fox jumps over the lazy d";
        var chars = text.Distinct().Order().ToList();
        var ids = text.Select(c => (long)chars.IndexOf(c)).ToArray();
        using var model = NewModel(new GptConfig { VocabSize = chars.Count, BlockSize = 40, Layers = 2, Heads = 2, EmbeddingDim = 32 });
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        var x = tensor(ids[..^1], [1, ids.Length - 1]);                        // (1, 40)
        var y = tensor(ids[1..], [1, ids.Length - 1]);                         // (1, 40)
        float loss = float.NaN;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var l = model.Loss(model.call(x), y);
            l.backward();
            optimizer.step();
            loss = l.item<float>();
        }
        Assert.True(loss < 0.1, $"final loss {loss}");
    }

    [Theory]
    [InlineData(0.0, null, null)]
    [InlineData(1.0, null, null)]
    [InlineData(0.8, 5, 0.9)]
    public void Generate_WithAndWithoutCache_GiveIdenticalTokens_PastBlockSize(double temperature, int? topK, double? topP)
    {
        using var model = NewModel();
        using var prompt = tensor(new long[] { 1, 2, 3 }, [1, 3]);
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var cached = model.Generate(prompt, 12, temperature, topK, topP, g1, useCache: true);
        using var plain = model.Generate(prompt, 12, temperature, topK, topP, g2, useCache: false);
        Assert.Equal([1L, 15L], cached.shape);                                // 3 + 12 > block_size 8
        Assert.Equal(plain.data<long>().ToArray(), cached.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 2, 3 }, cached.data<long>().Take(3).ToArray());
    }

    [Fact]
    public void Generate_TopK1_EqualsGreedy_AndIsReproduciblePerGenerator()
    {
        using var model = NewModel();
        using var prompt = tensor(new long[] { 4 }, [1, 1]);
        using var g = new Generator(1);
        using var greedy = model.Generate(prompt, 10, 0.0, null, null, g);
        using var top1 = model.Generate(prompt, 10, 1.0, 1, null, g);
        Assert.Equal(greedy.data<long>().ToArray(), top1.data<long>().ToArray());

        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var a = model.Generate(prompt, 10, 1.0, null, 0.9, g1);
        using var b = model.Generate(prompt, 10, 1.0, null, 0.9, g2);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
    }

    [Fact]
    public void SampleNext_TopP_KeepsSmallestSetReachingP()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 0.5f, 0.3f, 0.15f, 0.05f }, [1, 4]).log();   // (1, 4)
        using var g = new Generator(0);
        var seen = Enumerable.Range(0, 200).Select(_ => GptModel.SampleNext(logits, 1.0, null, 0.8, g).item<long>()).ToHashSet();
        Assert.Equal(new HashSet<long> { 0, 1 }, seen);                        // 0.5 + 0.3 ≥ 0.8
    }

    [Fact]
    public void AttentionWeights_AreCausalRowStochastic()
    {
        using var model = NewModel();
        using var w = model.AttentionWeights(tensor(new long[] { 1, 2, 3, 4, 5 }, [1, 5]), layer: 1);
        Assert.Equal([2L, 5L, 5L], w.shape);
        Assert.True(w.sum(-1).allclose(ones(2, 5), atol: 1e-5));
        Assert.Equal(0f, w.triu(1).abs().sum().item<float>());
    }

    [Fact]
    public void Generate_PromptLongerThanBlockSize_IsCropped_AndLeavesNoLiveTensors()
    {
        using var model = NewModel();
        using var prompt = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, [1, 10]);
        using (var warm = model.Generate(prompt, 2, 1.0, null, null, new Generator(0))) { }
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var g1 = new Generator(2))
        using (var g2 = new Generator(2))
        using (var cached = model.Generate(prompt, 5, 1.0, null, null, g1, useCache: true))
        using (var plain = model.Generate(prompt, 5, 1.0, null, null, g2, useCache: false))
        {
            Assert.Equal([1L, 15L], cached.shape);
            Assert.Equal(plain.data<long>().ToArray(), cached.data<long>().ToArray());
        }
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Generate_ShortPrompt_CachePathMatchesFullRecompute_WithinBlockSize()
    {
        // Stays under block_size, so every cached step feeds a single token against the cache.
        using var model = NewModel();
        using var prompt = tensor(new long[] { 7, 3 }, [1, 2]);
        using var g1 = new Generator(8);
        using var g2 = new Generator(8);
        using var cached = model.Generate(prompt, 6, 0.0, null, null, g1, useCache: true);
        using var plain = model.Generate(prompt, 6, 0.0, null, null, g2, useCache: false);
        Assert.Equal(plain.data<long>().ToArray(), cached.data<long>().ToArray());
        // And the cached logits themselves match a full forward pass.
        using var scope = NewDisposeScope();
        var predicted = model.call(cached).argmax(-1)[0].data<long>().ToArray();   // (8)
        var tokens = cached.data<long>().ToArray();                             // (8)
        for (int t = 1; t < 7; t++) Assert.Equal(predicted[t], tokens[t + 1]);
    }
}
