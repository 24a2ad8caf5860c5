using GenLab.Models.Data;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Runner.Tests.Training;

/// <summary>The first NaN or ±Infinity in a loss, gradient or weight stops the run: before the update reaches a
/// checkpoint, naming the step, the first parameter with non-finite values and whether the batch had any; the last
/// checkpoint stays valid and finite; run.json stays readable. Faults are injected, so this holds on any CPU.</summary>
[Collection(TorchCollection.Name)]
public sealed class GuardrailTests : IDisposable
{
    private const long Seed = 5;
    private const int Rows = 32, BatchSize = 8;

    /// <summary>The row the trainer's batches reach last, so the run has checkpoints before it meets the NaN.</summary>
    private static readonly int PoisonedRow = Enumerable.Range(0, Rows).MaxBy(FirstStepDrawing);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public enum Fault { NaNRowInTheData, InfiniteGradientAtStep4 }

    /// <summary>y = layer(x)² on 32 fixed rows of 4 features, batches drawn as the image labs draw theirs.</summary>
    private sealed class Probe : ITrainableExperiment
    {
        private readonly Sequential _model;
        private readonly Linear _layer;
        private readonly Tensor _data;                    // (Rows, 4)
        private readonly Fault _fault;
        private int _calls;

        public Probe(Fault fault)
        {
            _fault = fault;
            manual_seed(Seed);
            _layer = nn.Linear(4, 1);
            _model = nn.Sequential(("layer", _layer));
            _data = randn(Rows, 4);
            if (fault == Fault.NaNRowInTheData) _data[PoisonedRow, 2] = tensor(float.NaN);
        }

        public nn.Module Model => _model;

        public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
        {
            _calls++;
            using var index = tensor(LabelledImages.Rows(Rows, batches, batchSize));
            var x = _data.index_select(0, index);                                   // (B, 4)
            var loss = _layer.call(x).pow(2).mean();                   // ()
            if (_fault == Fault.InfiniteGradientAtStep4 && _calls == 4)
            {
                // √(w − w) is 0, but its derivative at 0 is +∞: the loss stays finite, the gradient does not.
                var weight = _model.parameters().First();
                loss = loss + (weight - weight.detach()).sqrt().sum();
            }
            return loss;
        }

        public bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => LabelledImages.BatchHasNonFinite(_data, batches, batchSize);

        public long TokensPerBatch(int batchSize) => batchSize;

        public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize)
        {
            using var x = _data.narrow(0, 0, 4).nan_to_num();
            return [("val", "loss", _layer.call(x).pow(2).mean().item<float>())];
        }

        public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

        public void SaveArtifacts(string directory) { }

        public void Dispose()
        {
            _model.Dispose();
            _data.Dispose();
        }
    }

    private (TrainingDivergedException Error, RunFolder Folder, Probe Probe) Diverge(Fault fault, TrainingConfig training)
    {
        var config = new ExperimentConfig
        {
            Name = "probe", Kind = ExperimentKind.MlpChar, Seed = Seed, Data = new object(), Model = new object(),
            Training = training, Report = new ReportConfig { Samples = 0 },
        };
        var folder = RunFolder.Create(_dir.Root, "probe", "00000000", DateTimeOffset.UtcNow);
        File.WriteAllText(folder.ExperimentYaml, "name: probe\n");
        var recorder = new RunRecorder(folder, new RunInfo
        {
            Name = "probe", Kind = "probe", RunId = folder.RunId, Status = RunStatus.Running, Environment = new EnvironmentInfo(),
        });
        var probe = new Probe(fault);
        var trainer = new Trainer(config, probe, recorder, new HookLogger(), _ => { });
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run(null, CancellationToken.None));
        return (error, folder, probe);
    }

    private static TrainingConfig Training(int steps = 30) => new()
    {
        Steps = steps, BatchSize = BatchSize, Lr = 1e-2, MinLr = 1e-3, WarmupSteps = 0, GradClip = 1.0,
        EvalEvery = 1, EvalBatches = 1, LogEvery = 1, CheckpointEvery = 1, KeepCheckpoints = 100,
    };

    /// <summary>The step whose batch first holds the poisoned row: the trainer's own batch stream, replayed.</summary>
    private static int FirstStepDrawing(int row)
    {
        var batches = SplitMix64.ForPurpose(Seed, "batches");
        for (int step = 1; ; step++)
            if (LabelledImages.Rows(Rows, batches, BatchSize).Contains(row)) return step;
    }

    private static void AssertLastCheckpointIsFiniteAndBefore(RunFolder folder, long failedStep)
    {
        var newest = new CheckpointStore(folder.Checkpoints).NewestValid();
        Assert.NotNull(newest);
        Assert.Equal(failedStep - 1, newest.Step);
        using var model = nn.Sequential(("layer", nn.Linear(4, 1)));
        model.load(newest.File("model.bin"));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        Assert.Equal(RunStatus.Running, RunInfo.Read(folder.Path).Status);   // readable; the session marks it failed
    }

    [Fact]
    public void NaNInTheData_StopsAtTheFirstBatchHoldingIt_AndSaysTheBatchHadNaN()
    {
        int step = FirstStepDrawing(PoisonedRow);
        Assert.True(step > 1, "the poisoned row should be met after a checkpoint");
        var (error, folder, probe) = Diverge(Fault.NaNRowInTheData, Training());
        using var _ = probe;
        Assert.StartsWith($"step {step}: the training loss is NaN", error.Message);
        Assert.Contains("first non-finite gradient: layer.weight (1×4)", error.Message);
        Assert.Contains("every weight is finite", error.Message);
        Assert.Contains("the batch itself holds NaN or ±Infinity", error.Message);
        AssertLastCheckpointIsFiniteAndBefore(folder, step);
    }

    [Fact]
    public void InfiniteGradient_WithAFiniteLoss_StopsBeforeTheUpdate_NamingTheParameter()
    {
        var (error, folder, probe) = Diverge(Fault.InfiniteGradientAtStep4, Training());
        using var _ = probe;
        Assert.StartsWith("step 4: the gradient norm is Infinity", error.Message);
        Assert.Contains("first non-finite gradient: layer.weight (1×4): 0 NaN, 4 ±Infinity of 4", error.Message);
        Assert.Contains("every weight is finite", error.Message);      // the update was not applied
        Assert.Contains("the batch itself is finite", error.Message);
        Assert.All(probe.Model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        AssertLastCheckpointIsFiniteAndBefore(folder, 4);
    }

    [Fact]
    public void FlatOptimizer_WhenAnUpdateOverflowsAWeight_SaysWhichOne()
    {
        using var model = nn.Sequential(("a", nn.Linear(2, 1)));
        using var optimizer = new FlatOptimizer(model, new TrainingConfig { Optimizer = OptimizerKind.Sgd, Lr = 1e38, WeightDecay = 0 });
        var bias = model.parameters().Last();
        using (no_grad()) bias.fill_(3e38f);
        bias.grad = tensor(new[] { -1f });        // a finite gradient; 3e38 + 1e38 is beyond float32
        Assert.Equal(1, optimizer.Step(0), 6);
        Assert.False(optimizer.ParametersFinite());
        Assert.Equal("a.bias (1): 0 NaN, 1 ±Infinity of 1", optimizer.FirstNonFinite(gradients: false));
        Assert.Null(optimizer.FirstNonFinite(gradients: true));
    }

    [Fact]
    public void ParametersFinite_TellsAnOverflowingSumOfFiniteWeightsFromNonFiniteOnes()
    {
        using var model = nn.Sequential(("a", nn.Linear(2, 2)));
        using var optimizer = new FlatOptimizer(model, new TrainingConfig { Optimizer = OptimizerKind.Sgd, Lr = 0.1, WeightDecay = 0 });
        var weight = model.parameters().First();
        using (no_grad()) weight.fill_(3e38f);                  // each finite; their sum is not
        Assert.True(optimizer.ParametersFinite());
        using (no_grad()) weight[0, 0] = float.NaN;
        Assert.False(optimizer.ParametersFinite());
        using (no_grad()) { weight.fill_(1f); weight[1, 1] = float.NegativeInfinity; }
        Assert.False(optimizer.ParametersFinite());
    }

    [Fact]
    public void FlatOptimizer_OnANaNGradient_AppliesNothing()
    {
        manual_seed(1);
        using var model = nn.Sequential(("a", nn.Linear(3, 3)), ("b", nn.Linear(3, 1)));
        using var optimizer = new FlatOptimizer(model, new TrainingConfig { Lr = 0.1, GradClip = 1.0 });
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        using (var scope = NewDisposeScope())
        {
            var loss = model.call(tensor(new[] { 1f, float.NaN, 0f }).reshape(1, 3)).sum();
            loss.backward();
        }
        double norm = optimizer.Step(1.0);
        Assert.True(double.IsNaN(norm));
        foreach (var (p, b) in model.parameters().Zip(before)) Assert.True(p.eq(b).all().item<bool>(), "a NaN gradient must not move any weight");
        Assert.StartsWith("a.weight (3×3): 3 NaN", optimizer.FirstNonFinite(gradients: true));
        Assert.Null(optimizer.FirstNonFinite(gradients: false));
        Assert.True(optimizer.ParametersFinite());
        foreach (var b in before) b.Dispose();
    }

    [Fact]
    public void RunJson_StaysValidJson_WhenAMetricIsNotFinite()
    {
        var folder = RunFolder.Create(_dir.Root, "probe", "00000000", DateTimeOffset.UtcNow);
        var info = new RunInfo
        {
            Name = "probe", Kind = "probe", RunId = folder.RunId, Environment = new EnvironmentInfo(),
            Best = new BestMetric("val", "loss", double.NegativeInfinity, 3),
        };
        info.Write(folder.Path);
        Assert.Contains("\"value\": null", File.ReadAllText(Path.Combine(folder.Path, RunFiles.RunInfo)));
        Assert.True(double.IsNaN(RunInfo.Read(folder.Path).Best!.Value));
    }

    [Fact]
    public async Task Genlab_WhenTrainingDiverges_FailsWithExitCode1AndOneScreen_NoStackTrace()
    {
        string yaml = TinyExperiment.Write(_dir);
        string results = Path.Combine(_dir.Root, "results");
        var (exit, output) = await GenlabProcess.RunAsync(["run", yaml, "--results", results,
            "--set", "training.optimizer=sgd", "--set", "training.lr=1e38", "--set", "training.min_lr=1e38",
            "--set", "training.grad_clip=0", "--set", "training.weight_decay=0"]);
        Assert.True(exit == ExitCodes.Failed, output);
        string runDir = Directory.EnumerateDirectories(Path.Combine(results, "tiny")).Single(d => new DirectoryInfo(d).LinkTarget is null);
        var info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Matches(@"^step \d+: the (training loss is|update made a weight)", info.Error);
        Assert.Contains("the batch itself is finite", info.Error);
        Assert.DoesNotContain("   at ", output);                          // no stack trace
        Assert.InRange(output.Split('\n').Count(l => l.Contains("fail", StringComparison.Ordinal)), 1, 3);
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "index.html")), "the report shows the curve up to the failure");
    }
}
