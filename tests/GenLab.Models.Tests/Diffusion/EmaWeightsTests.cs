using GenLab.Models.Diffusion;
using GenLab.Models.Tests.Autoencoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Diffusion;

/// <summary>A Linear and a BatchNorm1d: parameters to average, running statistics (buffers) to copy.</summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    internal readonly Linear fc;
    internal readonly BatchNorm1d bn;

    public TinyNet(int inputs = 2) : base(nameof(TinyNet))
    {
        fc = nn.Linear(inputs, 1);
        bn = nn.BatchNorm1d(1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.call(fc.call(x));        // (B, 1)

    public void Set(float w0, float w1, float b)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        fc.weight!.copy_(tensor(new[] { w0, w1 }).view(1, 2));
        fc.bias!.copy_(tensor(new[] { b }));
    }

    public float[] Weights() => [.. fc.weight!.data<float>(), .. fc.bias!.data<float>()];
}

// Module construction draws from torch's global generator.
[Collection(nameof(GlobalTorchRngCollection))]
public sealed class EmaWeightsTests
{
    [Fact]
    public void Update_IsDecayTimesAveragePlusOneMinusDecayTimesWeights()
    {
        using var model = new TinyNet();
        model.Set(1f, 2f, 3f);
        using var ema = new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig { Decay = 0.9, Warmup = false });
        Assert.Equal([1f, 2f, 3f], ema.Average.Weights());                   // starts as a copy

        model.Set(11f, -8f, 3f);
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ema.Update(model);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // 0.9 · [1, 2, 3] + 0.1 · [11, −8, 3] = [2, 1, 3]
        Assert.Equal([2f, 1f, 3f], ema.Average.Weights(), new FloatTolerance(1e-5f));
        ema.Update(model);
        // 0.9 · [2, 1, 3] + 0.1 · [11, −8, 3] = [2.9, 0.1, 3]
        Assert.Equal([2.9f, 0.1f, 3f], ema.Average.Weights(), new FloatTolerance(1e-5f));
        Assert.Equal(2, ema.Updates);
        Assert.Equal([11f, -8f, 3f], model.Weights());                       // the model is untouched
    }

    [Fact]
    public void Warmup_FollowsDiffusersEmaModel()
    {
        using var model = new TinyNet();
        using var ema = new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig { Decay = 0.999 });
        // s = n − 1; d = 0 at s = 0, else min(decay, (1 + s) / (10 + s)).
        Assert.Equal(0.0, ema.DecayAt(1));
        Assert.Equal(2.0 / 11, ema.DecayAt(2), 1e-15);
        Assert.Equal(3.0 / 12, ema.DecayAt(3), 1e-15);
        Assert.Equal(8990.0 / 8999, ema.DecayAt(8990), 1e-15);
        Assert.Equal(0.999, ema.DecayAt(8991), 1e-15);
        Assert.Equal(0.999, ema.DecayAt(1_000_000));

        // The first update copies whatever the model holds now, the second weighs the average 2/11.
        model.Set(5f, 6f, 7f);
        ema.Update(model);
        Assert.Equal([5f, 6f, 7f], ema.Average.Weights());
        model.Set(16f, -5f, 7f);
        ema.Update(model);
        Assert.Equal([5f * 2 / 11 + 16f * 9 / 11, 6f * 2 / 11 - 5f * 9 / 11, 7f], ema.Average.Weights(),
            new FloatTolerance(1e-5f));
        using var plain = new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig { Decay = 0.9, Warmup = false });
        Assert.Equal(0.9, plain.DecayAt(1));
    }

    [Fact]
    public void Update_CopiesBuffers_AndCopyToWritesTheAverageIntoTheModel()
    {
        using var model = new TinyNet();
        using var ema = new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig { Decay = 0.5, Warmup = false });
        using (var _ = no_grad()) model.bn.running_mean!.fill_(4f);
        model.Set(3f, 3f, 3f);
        ema.Update(model);
        Assert.Equal(4f, ema.Average.bn.running_mean!.item<float>());
        Assert.False(ema.Average.training);
        Assert.All(ema.Average.parameters(), p => Assert.False(p.requires_grad));

        using var target = new TinyNet();
        ema.CopyTo(target);
        Assert.Equal(ema.Average.Weights(), target.Weights());
        Assert.Equal(4f, target.bn.running_mean!.item<float>());
    }

    [Fact]
    public void Average_SavesAndLoads_WithTheModulesStateDict()
    {
        using var model = new TinyNet();
        model.Set(1f, 2f, 3f);
        using var ema = new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig());
        var path = Path.Combine(Path.GetTempPath(), $"genlab-ema-{Guid.NewGuid():N}.bin");
        try
        {
            ema.Average.save(path);
            using var restored = new EmaWeights<TinyNet>(new TinyNet(), new TinyNet(), new EmaConfig());
            restored.Average.load(path);
            restored.Updates = 7;
            Assert.Throws<ArgumentOutOfRangeException>(() => restored.Updates = -1);
            Assert.Equal([1f, 2f, 3f], restored.Average.Weights());
            Assert.Equal(8.0 / 17, restored.DecayAt(restored.Updates + 1), 1e-15);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MismatchedModules_AndBadDecay_AreRejected()
    {
        using var model = new TinyNet();
        Assert.Contains("parameter fc.weight has shape (1, 2) in one module and (1, 3)",
            Assert.Throws<ArgumentException>(() => new EmaWeights<TinyNet>(new TinyNet(3), model, new EmaConfig())).Message);
        Assert.Contains("decay", Assert.Throws<ArgumentException>(
            () => new EmaWeights<TinyNet>(model, new TinyNet(), new EmaConfig { Decay = 1 })).Message);
        Assert.Throws<ArgumentException>(() => new EmaWeights<TinyNet>(model, model, new EmaConfig()));
    }
}

internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(float obj) => 0;
}
