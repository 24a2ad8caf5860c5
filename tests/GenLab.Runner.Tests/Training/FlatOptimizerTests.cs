using GenLab.Runner.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Runner.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class FlatOptimizerTests
{
    private static readonly TrainingConfig AdamWConfig = new()
    {
        Lr = 3e-3, WeightDecay = 0.1, Beta1 = 0.9, Beta2 = 0.99, GradClip = 0.5,
    };

    private static nn.Module<Tensor, Tensor> NewModel(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Embedding(11, 6), nn.Linear(6, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 11));
    }

    private static Tensor Loss(nn.Module<Tensor, Tensor> model, int step)
    {
        using var g = new Generator((ulong)(100 + step));
        var x = randint(0, 11, [4, 5], generator: g);                          // (B, T)
        var y = randint(0, 11, [4, 5], generator: g);                          // (B, T)
        var logits = model.call(x);                                            // (B, T, V)
        return nn.functional.cross_entropy(logits.view(-1, 11), y.view(-1));   // ()
    }

    private static float[] Flatten(nn.Module model) =>
        [.. model.parameters().SelectMany(p => p.detach().reshape(-1).data<float>().ToArray())];

    [Fact]
    public void AdamW_MatchesTorchAdamWWithDecayGroupsAndClipping()
    {
        using var ours = NewModel(3);
        using var reference = NewModel(3);
        using var flat = new FlatOptimizer(ours, AdamWConfig);
        var parameters = reference.parameters().ToArray();
        using var torchAdamW = optim.AdamW(
            [new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), new AdamW.Options { weight_decay = 0.1 }),
             new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), new AdamW.Options { weight_decay = 0 })],
            lr: 3e-3, beta1: 0.9, beta2: 0.99);
        for (int step = 0; step < 25; step++)
        {
            double lr = 3e-3 * (1 - step / 50.0);
            flat.LearningRate = lr;
            foreach (var group in torchAdamW.ParamGroups) group.LearningRate = lr;
            using var scope = NewDisposeScope();
            flat.ZeroGrad();
            Loss(ours, step).backward();
            flat.Step(0.5);
            torchAdamW.zero_grad();
            Loss(reference, step).backward();
            nn.utils.clip_grad_norm_(parameters, 0.5);
            torchAdamW.step();
        }
        float[] a = Flatten(ours), b = Flatten(reference);
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 1e-5f);
        Assert.NotEqual(Flatten(NewModel(3)), a);                              // and the model did train
    }

    [Fact]
    public void Sgd_IsPlainGradientStepWithDecayOnMatricesOnly()
    {
        using var model = nn.Linear(3, 2);
        using (no_grad())
        {
            model.weight!.copy_(tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
            model.bias!.copy_(tensor(new float[] { 1, -1 }));
        }
        using var flat = new FlatOptimizer(model, new TrainingConfig { Optimizer = OptimizerKind.Sgd, Lr = 0.1, WeightDecay = 0.5 });
        using var x = ones(1, 3);
        model.call(x).sum().backward();                                      // d/dW = 1 everywhere, d/db = 1
        flat.Step(0);
        // W ← W·(1 − 0.1·0.5) − 0.1·1; b ← b − 0.1·1 (no decay on the bias vector).
        Assert.Equal(new[] { 0.85f, 1.8f, 2.75f, 3.7f, 4.65f, 5.6f }, model.weight!.data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal(new[] { 0.9f, -1.1f }, model.bias!.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Step_ReturnsNormBeforeClippingAndClipsToMaxNorm()
    {
        using var model = nn.Linear(2, 1, hasBias: false);
        using (no_grad()) model.weight!.zero_();
        using var flat = new FlatOptimizer(model, new TrainingConfig { Optimizer = OptimizerKind.Sgd, Lr = 1, WeightDecay = 0 });
        using var x = tensor(new float[] { 3, 4 }, [1, 2]);
        model.call(x).sum().backward();                                      // grad (3, 4), norm 5
        Assert.Equal(5.0, flat.Step(1.0), 5);
        // Clipped to norm 1 (PyTorch's clip_grad_norm_ divides by norm + 1e-6), so the step is −(0.6, 0.8).
        Assert.Equal(new[] { -0.6f, -0.8f }, model.weight!.data<float>().ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void SaveLoad_ResumesTheSameTrajectory()
    {
        string dir = Directory.CreateTempSubdirectory("flat-opt-").FullName;
        try
        {
            using var straight = NewModel(5);
            using var first = new FlatOptimizer(straight, AdamWConfig);
            for (int step = 0; step < 6; step++) TrainStep(straight, first, step);
            straight.save(Path.Combine(dir, "model.bin"));
            first.Save(Path.Combine(dir, "optimizer.bin"));
            for (int step = 6; step < 12; step++) TrainStep(straight, first, step);

            using var resumed = NewModel(99);
            resumed.load(Path.Combine(dir, "model.bin"));
            using var second = new FlatOptimizer(resumed, AdamWConfig);
            second.Load(Path.Combine(dir, "optimizer.bin"));
            for (int step = 6; step < 12; step++) TrainStep(resumed, second, step);
            Assert.Equal(Flatten(straight), Flatten(resumed));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Load_OfAnotherModelsState_NamesTheMismatch()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var small = nn.Linear(2, 2);
            using (var optimizer = new FlatOptimizer(small, AdamWConfig)) optimizer.Save(path);
            using var large = nn.Linear(4, 4);
            using var other = new FlatOptimizer(large, AdamWConfig);
            var error = Assert.Throws<InvalidDataException>(() => other.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("6 values", error.Message);
        }
        finally { File.Delete(path); }
    }

    private static void TrainStep(nn.Module<Tensor, Tensor> model, FlatOptimizer optimizer, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        Loss(model, step).backward();
        optimizer.Step(0.5);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
