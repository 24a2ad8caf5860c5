using System.Diagnostics;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Hosting;

/// <summary>Ctrl-C to a real <c>genlab</c> process: graceful stop with a checkpoint, exit code 130, then resume.</summary>
[Collection(TorchCollection.Name)]
public sealed class InterruptSignalTests : IDisposable
{
    private const int SigInt = 2;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();


    private static Process Start(params string[] args)
    {
        var process = GenlabProcess.Start(args);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Task<int> ExitCodeOf(Process process) => GenlabProcess.ExitCodeOf(process);

    [Fact]
    public async Task Sigint_DuringRun_CheckpointsExits130AndResumesToCompletion()
    {
        if (OperatingSystem.IsWindows()) return;        // no SIGINT to send
        string yaml = TinyExperiment.Write(_dir, TinyExperiment.Yaml
            .Replace("steps: 40", "steps: 30000", StringComparison.Ordinal)   // ~10 s: a wide window for the signal
            .Replace("eval_every: 10", "eval_every: 100", StringComparison.Ordinal)
            .Replace("log_every: 5", "log_every: 20", StringComparison.Ordinal)
            .Replace("checkpoint_every: 10", "checkpoint_every: 1000000", StringComparison.Ordinal));
        string results = Path.Combine(_dir.Root, "results");

        using var run = Start("run", yaml, "--results", results);
        string runDir = await GenlabProcess.WaitForTrainRows(run, results);
        Assert.Equal(0, Signals.Send(run.Id, SigInt));
        int exit = await ExitCodeOf(run);

        Assert.Equal(ExitCodes.Interrupted, exit);
        var info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Interrupted, info.Status);
        Assert.Equal(MklOnAmd.Status, info.Environment.MklOnAmd);   // genlab applied it as this test process did
        var checkpoint = new CheckpointStore(Path.Combine(runDir, RunFiles.Checkpoints)).NewestValid();
        Assert.NotNull(checkpoint);
        Assert.Equal(info.Step, checkpoint.Step);
        Assert.InRange(checkpoint.Step, 100, 29999);

        using var resume = Start("resume", runDir);
        Assert.Equal(ExitCodes.Ok, await ExitCodeOf(resume));
        info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Completed, info.Status);
        Assert.Equal(30000, info.Step);
        Assert.Equal([Path.Combine(RunFiles.Checkpoints, CheckpointStore.NameOf(checkpoint.Step))], info.ResumedFrom);
    }
}
