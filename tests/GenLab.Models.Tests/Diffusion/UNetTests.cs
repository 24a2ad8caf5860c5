using GenLab.Models.Configuration;
using GenLab.Models.Diffusion;
using GenLab.Models.Tests.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Diffusion;

// Module initialisation draws from torch's global generator; see GlobalTorchRngCollection.
[Collection(nameof(GlobalTorchRngCollection))]
public sealed class UNetTests
{
    /// <summary>8 base channels, two levels (16 → 8 px for 16×16 images), attention at the lowest level.</summary>
    private static UNetConfig Tiny(int condDim = 0) => new()
    {
        BaseChannels = 8, ChannelMults = [1, 2], BlocksPerLevel = 1, AttentionLevels = [1], Heads = 2, Groups = 4,
        TimeEmbeddingDim = 16, CondDim = condDim,
    };

    /// <summary>Random weights in the zero-initialised last convolution, so that the output depends on the input.</summary>
    private static void PerturbOutput(UNet model)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (name.StartsWith("conv_out.", StringComparison.Ordinal)) parameter.copy_(randn_like(parameter) * 0.1);
    }

    [Theory]
    [InlineData(1, 16, new[] { 1, 2 }, new[] { 1 }, true, 1, 0)]
    [InlineData(3, 16, new[] { 1, 2 }, new int[0], false, 1, 0)]
    [InlineData(1, 32, new[] { 1, 2, 2 }, new[] { 2 }, true, 1, 5)]
    [InlineData(3, 32, new[] { 1, 2, 2 }, new[] { 1, 2 }, true, 2, 0)]
    [InlineData(3, 16, new[] { 1, 2, 2 }, new int[0], false, 2, 4)]
    [InlineData(1, 32, new[] { 1, 1, 2 }, new[] { 0 }, false, 1, 0)]
    public void Forward_ReturnsTheInputShape(int channels, int size, int[] mults, int[] attention, bool midAttention,
        int blocks, int condDim)
    {
        random.manual_seed(0);
        var config = Tiny(condDim) with
        {
            ChannelMults = mults, AttentionLevels = attention, MidAttention = midAttention, BlocksPerLevel = blocks,
        };
        using var model = new UNet(config, channels, size);
        PerturbOutput(model);
        using var scope = NewDisposeScope();
        var x = randn(2, channels, size, size);
        var t = tensor(new long[] { 3, 999 });
        var cond = condDim > 0 ? randn(2, condDim) : null;
        var eps = model.call(x, t, cond);
        Assert.Equal(x.shape, eps.shape);
        Assert.True(eps.abs().sum().item<float>() > 0, "a perturbed last layer gives a non-zero prediction");
        if (condDim > 0) Assert.Equal(x.shape, model.call(x, t, null).shape);
    }

    [Fact]
    public void Forward_OfAFreshModel_PredictsZeroNoise()
    {
        using var model = new UNet(Tiny(), 1, 16);
        using var scope = NewDisposeScope();
        var eps = model.call(randn(2, 1, 16, 16), tensor(new long[] { 0, 500 }), null);
        Assert.Equal(0f, eps.abs().max().item<float>());
    }

    [Fact]
    public void GroupNorms_StartAsTheIdentityTransform()
    {
        // Guards the workaround in ResidualBlock.Normalize: TorchSharp 0.107 leaves GroupNorm's affine parameters
        // uninitialised.
        using var model = new UNet(Tiny(), 1, 16);
        var norms = model.named_parameters().Where(p => p.name.Contains("norm")).ToList();
        Assert.NotEmpty(norms);
        foreach (var (name, parameter) in norms)
            Assert.True(parameter.eq(name.EndsWith(".weight") ? 1 : 0).all().item<bool>(), name);
    }

    [Fact]
    public void SinusoidalEmbedding_GoldenNumbers()
    {
        using var scope = NewDisposeScope();
        // dim 4: frequencies 1 and 10000^(-1) = 1e-4; t = 0 is [sin 0, sin 0, cos 0, cos 0].
        var small = new SinusoidalEmbedding(4).call(tensor(new long[] { 0, 1 }));
        Assert.Equal([2L, 4], small.shape);
        float[] expected4 = [0f, 0f, 1f, 1f, (float)Math.Sin(1), 1e-4f, (float)Math.Cos(1), 1f];
        Assert.Equal(expected4, small.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        // dim 8, t = 10: frequencies 10000^(-i/3) = 1, 0.0464159, 0.00215443, 0.0001.
        var eight = new SinusoidalEmbedding(8).call(tensor(new[] { 10f }));
        float[] expected8 = [-0.5440211f, 0.4476708f, 0.0215427f, 0.0010000f, -0.8390715f, 0.8941984f, 0.9997679f, 0.9999995f];
        Assert.Equal(expected8, eight.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SinusoidalEmbedding(5));
    }

    [Fact]
    public void Forward_DifferentTimeSteps_GiveDifferentPredictions()
    {
        random.manual_seed(1);
        using var model = new UNet(Tiny(), 1, 16);
        PerturbOutput(model);
        using var scope = NewDisposeScope();
        var x = randn(1, 1, 16, 16);
        var early = model.call(x, tensor(new long[] { 10 }), null);
        var late = model.call(x, tensor(new long[] { 500 }), null);
        Assert.True((early - late).abs().max().item<float>() > 1e-4, "the time embedding must reach the output");
        Assert.True(early.allclose(model.call(x, tensor(new long[] { 10 }), null)), "the same t gives the same output");
    }

    [Fact]
    public void Forward_Condition_ChangesThePrediction_AndNullUsesTheLearnedNullVector()
    {
        random.manual_seed(2);
        using var model = new UNet(Tiny(condDim: 3), 1, 16);
        PerturbOutput(model);
        using var scope = NewDisposeScope();
        var x = randn(2, 1, 16, 16);
        var t = tensor(new long[] { 100, 100 });
        var a = model.call(x, t, randn(2, 3));
        var b = model.call(x, t, randn(2, 3));
        Assert.True((a - b).abs().max().item<float>() > 1e-4, "the condition must reach the output");

        // The null vector starts at zero, so "no condition" equals the condition 0 until training moves it.
        var none = model.call(x, t, null);
        Assert.True(none.allclose(model.call(x, t, zeros(2, 3))));
        var cond = randn(2, 3);
        var dropped = model.DropCondition(cond, tensor(new[] { true, false }));
        Assert.Equal(0f, dropped[0].abs().sum().item<float>());
        Assert.True(dropped[1].eq(cond[1]).all().item<bool>());
    }

    [Fact]
    public void Forward_ConditionOnAnUnconditionalModel_OrWrongShapes_SaysWhatItExpected()
    {
        using var model = new UNet(Tiny(), 1, 16);
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { 1, 2 });
        var channels = Assert.Throws<ArgumentException>(() => model.call(zeros(2, 3, 16, 16), t, null));
        Assert.Contains("(B, 1, 16, 16)", channels.Message);
        Assert.Contains("got (2, 3, 16, 16)", channels.Message);
        Assert.Contains("(B, 1, 16, 16)", Assert.Throws<ArgumentException>(() => model.call(zeros(2, 1, 32, 32), t, null)).Message);
        Assert.Contains("diffusion steps of shape (2)", Assert.Throws<ArgumentException>(() => model.call(zeros(2, 1, 16, 16), tensor(new long[] { 1 }), null)).Message);
        Assert.Contains("unconditional", Assert.Throws<ArgumentException>(() => model.call(zeros(2, 1, 16, 16), t, zeros(2, 4))).Message);
        using var conditional = new UNet(Tiny(condDim: 4), 1, 16);
        Assert.Contains("cond of shape (2, 4)", Assert.Throws<ArgumentException>(() => conditional.call(zeros(2, 1, 16, 16), t, zeros(2, 5))).Message);
    }

    [Fact]
    public void Validate_NamesEachBadKey()
    {
        var config = new UNetConfig
        {
            BaseChannels = 6, ChannelMults = [1, 0], BlocksPerLevel = 0, AttentionLevels = [3], Heads = 0, Groups = 4,
            Dropout = 1, TimeEmbeddingDim = 0, CondDim = -1,
        };
        Assert.Equal(["channel_mults", "blocks_per_level", "attention_levels", "heads", "dropout", "time_embedding_dim", "cond_dim"],
            config.Validate().Select(i => i.Key));
        Assert.Empty(new UNetConfig().Validate());
        Assert.Contains("base_channels", new UNetConfig { BaseChannels = 7, Groups = 7 }.Validate().Select(i => i.Key));
        Assert.Contains("attention_levels", new UNetConfig { AttentionLevels = [1, 1] }.Validate().Select(i => i.Key));
    }

    [Fact]
    public void Validate_GroupsAndHeads_MustDivideEveryLevelsChannels()
    {
        // 12 base channels, mults [1, 2, 3]: levels of 12, 24, 36 channels.
        var groups = new UNetConfig { BaseChannels = 12, ChannelMults = [1, 2, 3], Groups = 8, Heads = 1 }.Validate().ToList();
        Assert.All(groups, i => Assert.Equal("groups", i.Key));
        Assert.Contains(groups, i => i.Message == "base_channels 12 is not divisible by groups 8");
        Assert.Contains(groups, i => i.Message == "level 2 has 12 × 3 = 36 channels, not divisible by groups 8");
        var heads = new UNetConfig { BaseChannels = 12, ChannelMults = [1, 2, 3], Groups = 4, Heads = 8 }.Validate().Single();
        Assert.Equal(new ConfigIssue("heads", "level 2 has 36 channels, not divisible by heads 8"), heads);
        var error = Assert.Throws<ArgumentException>(() => new UNet(new UNetConfig { Groups = 5 }, 1, 32));
        Assert.Contains("groups: base_channels 32 is not divisible by groups 5", error.Message);
    }

    [Theory]
    [InlineData(30)]   // not even
    [InlineData(18)]   // even, but 9 is odd: the second halving would round
    public void Constructor_ImageSizeNotDivisible_NamesImageSizeAndLevels(int size)
    {
        var error = Assert.Throws<ArgumentException>(() => new UNet(new UNetConfig(), 1, size));
        Assert.Contains($"image size {size} is not divisible by 2^(levels - 1) = 4", error.Message);
        Assert.Contains("channel_mults [1, 2, 2] has 3 levels", error.Message);
        Assert.Empty(new UNetConfig().ValidateImageSize(28));
        Assert.Empty(new UNetConfig { ChannelMults = [1, 2] }.ValidateImageSize(18));
    }

    [Fact]
    public void ParameterCount_OfTheTinyConfig_EqualsTheHandCount()
    {
        using var model = new UNet(Tiny(), 1, 16);
        // temb 8·16+16 + 16·16+16 = 416; conv_in 1·8·9+8 = 80
        // down.0: block 8→8 (16 + 584 + 136 + 16 + 584 = 1336), downsample 584
        // down.1: block 8→16 (16 + 1168 + 272 + 32 + 2320 + nin 144 = 3952), attention(16) 32 + 4·272 = 1120
        // mid: 2 blocks 16→16 (32 + 2320 + 272 + 32 + 2320 = 4976 each) + attention 1120 = 11072
        // up.1: blocks 32→16 (64 + 4624 + 272 + 32 + 2320 + 528 = 7840), 24→16 (48 + 3472 + 272 + 32 + 2320 + 400 = 6544),
        //       2 attentions 2240, upsample 2320 = 18944
        // up.0: blocks 24→8 (48 + 1736 + 136 + 16 + 584 + 200 = 2720), 16→8 (32 + 1160 + 136 + 16 + 584 + 136 = 2064) = 4784
        // norm_out 16 + conv_out 8·9+1 = 89
        Assert.Equal(416 + 80 + 1336 + 584 + 3952 + 1120 + 11072 + 18944 + 4784 + 89, Count(model));
        using var conditional = new UNet(Tiny(condDim: 6), 1, 16);
        Assert.Equal(42377 + 6 * 16 + 16 + 6, Count(conditional));   // cond_proj and null_cond
    }

    [Fact]
    public void ParameterCount_AndNames_OfTheDefaultConfig_MatchThePyTorchReference()
    {
        // `python3 benchmarks/pytorch/unet_bench.py` prints "parameters 1112801" for 1×32×32 and the defaults;
        // `--keys` lists the same 182 state_dict entries as the C# model (the unet benchmark's --keys).
        using var model = new UNet(new UNetConfig(), 1, 32);
        Assert.Equal(1_112_801, Count(model));
        var names = model.state_dict().Keys.ToList();
        Assert.Equal(182, names.Count);
        Assert.Contains("temb.dense.0.weight", names);
        Assert.Contains("down.0.downsample.conv.weight", names);
        Assert.Contains("down.2.attn.0.q.weight", names);
        Assert.Contains("mid.attn_1.proj_out.bias", names);
        Assert.Contains("up.0.block.1.nin_shortcut.weight", names);
        Assert.Contains("up.2.upsample.conv.weight", names);
        Assert.DoesNotContain("up.0.upsample.conv.weight", names);
    }

    private static long Count(UNet model) => model.parameters().Sum(p => p.numel());

    [Fact]
    public void Training_OnOneImagesNoise_LowersTheLossTenfold()
    {
        random.manual_seed(3);
        using var model = new UNet(Tiny(), 1, 8);
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3, weight_decay: 0);
        using var x0 = rand(1, 1, 8, 8) * 2 - 1;
        using var eps = randn(1, 1, 8, 8);
        using var t = tensor(new long[] { 200 });
        using var xt = x0 * Math.Sqrt(0.5) + eps * Math.Sqrt(0.5);
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(xt, t, null), eps);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0) first = last;
        }
        Assert.True(last < first / 10, $"loss {first} → {last}");
    }
}
