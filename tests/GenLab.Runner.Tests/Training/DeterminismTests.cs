using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class DeterminismTests : IDisposable
{
    private readonly TempDir _dir = new();

    public DeterminismTests() => TinyExperiment.Write(_dir);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_TwiceWithTheSameSeed_WritesIdenticalTrainAndValRows()
    {
        var (exitA, runA) = TinyExperiment.Run(TinyExperiment.Load(_dir), Path.Combine(_dir.Root, "results-a"));
        var (exitB, runB) = TinyExperiment.Run(TinyExperiment.Load(_dir), Path.Combine(_dir.Root, "results-b"));

        Assert.Equal(ExitCodes.Ok, exitA);
        Assert.Equal(ExitCodes.Ok, exitB);
        var rowsA = TinyExperiment.DeterministicRows(runA);
        Assert.Contains(rowsA, r => r is { Step: 40, Split: "val", Metric: "loss" });
        Assert.Equal(rowsA, TinyExperiment.DeterministicRows(runB));
    }

    [Fact]
    public void Run_WithAnotherSeed_WritesDifferentValues()
    {
        var (_, runA) = TinyExperiment.Run(TinyExperiment.Load(_dir), Path.Combine(_dir.Root, "results-a"));
        var (exit, runB) = TinyExperiment.Run(TinyExperiment.Load(_dir, "seed=8"), Path.Combine(_dir.Root, "results-b"));

        Assert.Equal(ExitCodes.Ok, exit);
        var lossA = TinyExperiment.DeterministicRows(runA).Where(r => r.Metric == "loss").ToList();
        var lossB = TinyExperiment.DeterministicRows(runB).Where(r => r.Metric == "loss").ToList();
        Assert.Equal(lossA.Select(r => (r.Step, r.Split)), lossB.Select(r => (r.Step, r.Split)));
        Assert.All(lossA.Zip(lossB), pair => Assert.NotEqual(pair.First.Value, pair.Second.Value));
    }
}
