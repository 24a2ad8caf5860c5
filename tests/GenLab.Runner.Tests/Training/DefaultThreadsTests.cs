using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Training;

/// <summary>Determinism and bitwise resume parity as users run GenLab: a real genlab process at the default thread
/// count (one per core; the test process itself runs libtorch on one thread), on a convolutional model, whose
/// multithreaded kernels are where run-to-run differences would come from.</summary>
[Collection(TorchCollection.Name)]
public sealed class DefaultThreadsTests : IDisposable
{
    private const int SigInt = 2;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();


    /// <summary>The shipped VAE on 16 px digits, small enough for seconds, long enough to be interrupted mid-run.</summary>
    private static readonly string[] Vae =
    [
        "data.size=16", "data.count_per_item=8", "model.network.channels=[8, 16]", "expect=null",
        "training.steps=120", "training.batch_size=16", "training.warmup_steps=0", "training.eval_every=40",
        "training.eval_batches=2", "training.log_every=5", "training.checkpoint_every=50",
    ];

    private static readonly Dictionary<string, string?> DefaultThreads = new() { ["GENLAB_THREADS"] = null };

    private static string[] Args(string results) =>
        ["run", Path.Combine(Repository.Experiments, "04-vae/vae-digits.yaml"), "--results", results, .. Vae.SelectMany(o => new[] { "--set", o })];

    private async Task<string> Completed(string name)
    {
        string results = Path.Combine(_dir.Root, name);
        var (exit, output) = await GenlabProcess.RunAsync(Args(results), DefaultThreads);
        Assert.True(exit == ExitCodes.Ok, output);
        string runDir = GenlabProcess.RunFolder(results)!;
        Assert.Equal(Environment.ProcessorCount, RunInfo.Read(runDir).Environment.TorchThreads);
        return runDir;
    }

    [Fact]
    public async Task TwoRuns_SameSeed_DefaultThreads_WriteIdenticalRows()
    {
        string a = await Completed("a");
        string b = await Completed("b");
        var rows = TinyExperiment.DeterministicRows(a);
        Assert.Contains(rows, r => r is { Step: 120, Split: "val", Metric: "loss" });
        Assert.Equal(rows, TinyExperiment.DeterministicRows(b));
    }

    [Fact]
    public async Task InterruptedAndResumed_DefaultThreads_MatchesTheUninterruptedRunBitForBit()
    {
        if (OperatingSystem.IsWindows()) return;        // no SIGINT to send
        string uninterrupted = await Completed("a");

        string results = Path.Combine(_dir.Root, "b");
        using var run = GenlabProcess.Start(Args(results), DefaultThreads);
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string runDir = await GenlabProcess.WaitForTrainRows(run, results, rows: 8);
        Assert.Equal(0, Signals.Send(run.Id, SigInt));
        Assert.Equal(ExitCodes.Interrupted, await GenlabProcess.ExitCodeOf(run));
        long stoppedAt = RunInfo.Read(runDir).Step;
        Assert.InRange(stoppedAt, 1, 119);

        var (exit, output) = await GenlabProcess.RunAsync(["resume", runDir], DefaultThreads);
        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Equal(TinyExperiment.DeterministicRows(uninterrupted), TinyExperiment.DeterministicRows(runDir));
        Assert.Equal(Environment.ProcessorCount, RunInfo.Read(runDir).Environment.TorchThreads);
    }
}
