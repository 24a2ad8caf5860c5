using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Training;

/// <summary>An interrupted and resumed run must write exactly what an uninterrupted one writes.
/// Checkpoints every 15 steps and evaluations every 10, so an interrupt at an evaluation falls between checkpoints.</summary>
[Collection(TorchCollection.Name)]
public sealed class ResumeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ResumeTests() => TinyExperiment.Write(_dir);

    public void Dispose() => _dir.Dispose();

    private string Results(string name) => Path.Combine(_dir.Root, name);

    private string Uninterrupted()
    {
        var (exit, run) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.checkpoint_every=15"), Results("a"));
        Assert.Equal(ExitCodes.Ok, exit);
        return run;
    }

    private string InterruptedAfterEvaluation(long step)
    {
        using var stop = new CancellationTokenSource();
        var (exit, run) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.checkpoint_every=15"), Results("b"),
            stop.Token, HookLogger.CancelAfterEvaluation(step, stop));
        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Equal(RunStatus.Interrupted, RunInfo.Read(run).Status);
        return run;
    }

    [Fact]
    public void Resume_AfterInterruptAtStep20_MatchesUninterruptedRunBitForBit()
    {
        string a = Uninterrupted();
        string b = InterruptedAfterEvaluation(20);
        Assert.Equal(20, RunInfo.Read(b).Step);
        Assert.Equal(20, new CheckpointStore(Path.Combine(b, RunFiles.Checkpoints)).NewestValid()?.Step);

        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(b));

        Assert.Equal(TinyExperiment.DeterministicRows(a), TinyExperiment.DeterministicRows(b));
        var info = RunInfo.Read(b);
        Assert.Equal(RunStatus.Completed, info.Status);
        Assert.Equal(40, info.Step);
        Assert.Equal([Path.Combine(RunFiles.Checkpoints, "step-000020")], info.ResumedFrom);
        Assert.Equal(RunInfo.Read(a).Best, info.Best);
        Assert.False(File.Exists(Path.Combine(b, RunFiles.Metrics + ".discarded")));
    }

    [Fact]
    public void Resume_WhenNewestCheckpointIsCorrupt_ResumesFromOlderOneAndSetsLaterRowsAside()
    {
        string a = Uninterrupted();
        string b = InterruptedAfterEvaluation(20);
        string metrics = Path.Combine(b, RunFiles.Metrics);
        var rowsAt20 = File.ReadAllLines(metrics).Where(l => l.StartsWith("20,", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rowsAt20);
        FlipOneByte(Path.Combine(b, RunFiles.Checkpoints, "step-000020", "model.bin"));
        var logger = new HookLogger();

        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(b, logger));

        Assert.Equal(TinyExperiment.DeterministicRows(a), TinyExperiment.DeterministicRows(b));
        Assert.Equal([Path.Combine(RunFiles.Checkpoints, "step-000015")], RunInfo.Read(b).ResumedFrom);
        Assert.Contains("model.bin does not match its SHA-256", logger.Text());
        // The interrupted process's rows after step 15 are kept aside, never lost.
        Assert.Equal(rowsAt20, File.ReadAllLines(metrics + ".discarded"));
    }

    [Fact]
    public void Resume_OfACompletedRun_ChangesNothing()
    {
        string a = Uninterrupted();
        var before = File.ReadAllText(Path.Combine(a, RunFiles.Metrics));

        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(a));

        Assert.Equal(before, File.ReadAllText(Path.Combine(a, RunFiles.Metrics)));
        Assert.Empty(RunInfo.Read(a).ResumedFrom);
    }

    internal static void FlipOneByte(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
    }
}
