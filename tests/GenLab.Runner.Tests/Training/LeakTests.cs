using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using TorchSharp;

namespace GenLab.Runner.Tests.Training;

/// <summary>Every step, evaluation and sample runs in a dispose scope: live tensors must not grow with the run.</summary>
[Collection(TorchCollection.Name)]
public sealed class LeakTests : IDisposable
{
    private readonly TempDir _dir = new();

    public LeakTests() => TinyExperiment.Write(_dir);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_Of200Steps_KeepsLiveTensorCountFlatFromStep50()
    {
        // The session runs the trainer on this thread, so the thread's statistics are the trainer's.
        var live = new Dictionary<long, long>();
        var logger = new HookLogger { OnEvaluated = step => live[step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount };

        var (exit, _) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.steps=200", "training.eval_every=50",
            "training.checkpoint_every=100"), Path.Combine(_dir.Root, "results"), logger: logger);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal([0L, 50, 100, 150, 200], live.Keys.Order());
        Assert.True(live[200] <= live[50], $"live tensors grew from {live[50]} at step 50 to {live[200]} at step 200");
    }
}
