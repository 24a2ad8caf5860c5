using System.Diagnostics;
using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Sweeps;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Sweeps;

/// <summary><c>genlab sweep --executor local</c> as a user runs it: real processes, runs at once, the report, reuse of
/// completed runs, Ctrl-C and <c>sweep resume</c>, and bad input.</summary>
[Collection(TorchCollection.Name)]
public sealed class SweepCommandTests : IDisposable
{
    private const int SigInt = 2;
    private readonly TempDir _dir = new();
    private readonly string _results;

    public SweepCommandTests() => _results = Path.Combine(_dir.Root, "results");

    public void Dispose() => _dir.Dispose();


    private SweepFolder Latest() => SweepFolder.Open(Path.Combine(_results, "tiny", SweepManifest.Folder, RunFolder.LatestLink));

    private List<string> RunFolders() =>
        [.. Directory.EnumerateDirectories(Path.Combine(_results, "tiny")).Where(d => File.Exists(Path.Combine(d, RunFiles.RunInfo)))
            .Where(d => new DirectoryInfo(d).LinkTarget is null)];

    [Fact]
    public async Task LocalSweep_TwoAtOnce_CompletesEveryRunWithAReport_AndASecondSweepReusesThem()
    {
        // An expectation no run meets: it states the file's own result, and a sweep's runs drop it.
        TinyExperiment.Write(_dir, TinyExperiment.Yaml + "\nexpect:\n  best_val_loss: { max: 0.001 }\n");
        string[] sweep = ["sweep", "experiment.yaml", "--grid", "training.lr=[0.01,0.02,0.05]", "--parallel", "2", "--results", _results];

        // GENLAB_THREADS unset, as on a user's machine: the sweep splits the cores.
        var (exit, output) = await GenlabProcess.RunAsync(sweep, new Dictionary<string, string?> { [CpuThreads.Variable] = null }, _dir.Root);

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Contains($"local: 2 run(s) at once, {Math.Max(1, Environment.ProcessorCount / 2)} thread(s) each", output);
        var folder = Latest();
        Assert.Matches(@"^\d{8}T\d{6}Z-[0-9a-f]{8}$", folder.Id);
        Assert.Equal(["training.lr"], folder.Manifest.Keys);
        Assert.Equal(["0.01", "0.02", "0.05"], folder.Manifest.Runs.Select(r => r.Values[0]));
        Assert.Equal([SweepCommand.DropExpect], folder.Manifest.Set);
        foreach (var entry in folder.Manifest.Runs)
        {
            Assert.Equal("completed", entry.Status);
            var info = RunInfo.Read(folder.RunDirectory(entry)!);
            Assert.Equal(RunStatus.Completed, info.Status);
            Assert.Equal(40, info.Step);
            Assert.True(File.Exists(Path.Combine(folder.Logs, $"{entry.Index}.log")));
        }
        Assert.Equal(3, RunFolders().Count);
        string html = File.ReadAllText(Path.Combine(folder.Report, ComparisonReport.Html));
        string markdown = File.ReadAllText(Path.Combine(folder.Report, ComparisonReport.Markdown));
        Assert.Contains("Sweep: tiny over training.lr (3 runs)", html);
        Assert.Contains("| run | training.lr | status |", markdown);
        Assert.Contains("★ Best run: #", markdown);
        Assert.Contains("Only the swept keys differ (training.lr)", markdown);
        Assert.Contains("<div id=\"curves\">", html);

        // The same sweep again: every run completed with the same config, data and code, so none runs.
        (exit, output) = await GenlabProcess.RunAsync(sweep, workingDirectory: _dir.Root);

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains(": reusing ", StringComparison.Ordinal)));
        Assert.Equal(3, RunFolders().Count);
        var again = Latest();
        Assert.NotEqual(folder.Id, again.Id);
        Assert.Equal(folder.Id[^8..], again.Id[^8..]);     // the same runs: the same hash
        Assert.All(again.Manifest.Runs, r => Assert.True(r.Reused));
        Assert.Equal(folder.Manifest.Runs.Select(r => r.Run), again.Manifest.Runs.Select(r => r.Run));
    }

    [Fact]
    public async Task LocalSweep_OnCtrlC_StopsEveryRunResumable_AndSweepResumeCompletesThem()
    {
        if (OperatingSystem.IsWindows()) return;        // no SIGINT to send
        TinyExperiment.Write(_dir, TinyExperiment.Yaml
            .Replace("steps: 40", "steps: 15000", StringComparison.Ordinal)     // several seconds: a wide window for the signal
            .Replace("eval_every: 10", "eval_every: 500", StringComparison.Ordinal)
            .Replace("log_every: 5", "log_every: 20", StringComparison.Ordinal)
            .Replace("checkpoint_every: 10", "checkpoint_every: 1000000", StringComparison.Ordinal));

        using var process = GenlabProcess.Start(["sweep", "experiment.yaml", "--grid", "training.lr=[0.01,0.02]", "--parallel", "2",
            "--results", _results], workingDirectory: _dir.Root);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(Path.Combine(_results, "tiny")) && RunFolders() is { Count: 2 } runs
            && runs.All(r => File.Exists(Path.Combine(r, RunFiles.Metrics)) && File.ReadAllText(Path.Combine(r, RunFiles.Metrics)).Contains(",train,loss,"))))
        {
            Assert.False(process.HasExited, $"the sweep ended before both runs trained\n{output}");
            Assert.True(clock.Elapsed < GenlabProcess.Timeout, $"both runs did not start training\n{output}");
            await Task.Delay(50);
        }
        Assert.Equal(0, Signals.Send(process.Id, SigInt));
        int exit = await GenlabProcess.ExitCodeOf(process);

        Assert.True(exit == ExitCodes.Interrupted, output.ToString());
        var sweep = Latest();
        foreach (var entry in sweep.Manifest.Runs)
        {
            string runDir = sweep.RunDirectory(entry)!;
            Assert.Equal(RunStatus.Interrupted, RunInfo.Read(runDir).Status);
            Assert.NotNull(new CheckpointStore(Path.Combine(runDir, RunFiles.Checkpoints)).NewestValid());
        }

        var (resumed, resumeOutput) = await GenlabProcess.RunAsync(["sweep", "resume", sweep.Path], workingDirectory: _dir.Root);

        Assert.True(resumed == ExitCodes.Ok, resumeOutput);
        Assert.Equal(2, resumeOutput.Split('\n').Count(l => l.Contains("resuming its run", StringComparison.Ordinal)));
        sweep = SweepFolder.Open(sweep.Path);
        Assert.All(sweep.Manifest.Runs, r => Assert.Equal(15000, RunInfo.Read(sweep.RunDirectory(r)!).Step));
        Assert.All(sweep.Manifest.Runs, r => Assert.Equal(RunStatus.Completed, RunInfo.Read(sweep.RunDirectory(r)!).Status));
        Assert.Equal(2, RunFolders().Count);        // resumed in place, no new folders
        Assert.True(File.Exists(Path.Combine(sweep.Report, ComparisonReport.Html)));
    }

    [Theory]
    [InlineData("training.lr")]                     // no values
    [InlineData("training.lr=[0.01")]               // not YAML
    [InlineData("training.lr=[0.01,-1]")]           // a value the key cannot take
    [InlineData("training.lrr=[0.01,0.02]")]        // no such key
    public async Task Sweep_WithAnInvalidGrid_ExitsWithBadInputAndWritesNothing(string grid)
    {
        TinyExperiment.Write(_dir);

        int exit = await Cli.InvokeAsync(["sweep", Path.Combine(_dir.Root, "experiment.yaml"), "--grid", grid, "--results", _results]);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.False(Directory.Exists(_results));
    }

    [Theory]
    [InlineData("--partition", "gpu")]
    [InlineData("--parallel", "0")]
    public async Task Sweep_WithAnOptionItsExecutorCannotTake_ExitsWithBadInput(string option, string value)
    {
        TinyExperiment.Write(_dir);

        int exit = await Cli.InvokeAsync(["sweep", Path.Combine(_dir.Root, "experiment.yaml"), "--grid", "training.lr=[0.01,0.02]",
            option, value, "--results", _results]);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.False(Directory.Exists(_results));
    }

    [Fact]
    public async Task Sweep_DryRun_WritesAndStartsNothing()
    {
        TinyExperiment.Write(_dir);

        int exit = await Cli.InvokeAsync(["sweep", Path.Combine(_dir.Root, "experiment.yaml"), "--grid", "training.lr=[0.01,0.02]",
            "--executor", "slurm", "--partition", "cpu", "--dry-run", "--results", _results]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.False(Directory.Exists(_results));
    }

    [Theory]
    [InlineData("[0.01, 0.02]", ExitCodes.Ok)]
    [InlineData("[0.01, -1]", ExitCodes.BadInput)]
    public async Task Validate_LoadsEveryRunOfTheFilesSweep(string values, int expected)
    {
        string yaml = TinyExperiment.Write(_dir, TinyExperiment.Yaml + $"\nsweep:\n  grid:\n    training.lr: {values}\n");

        Assert.Equal(expected, await Cli.InvokeAsync(["validate", yaml]));
    }

    [Fact]
    public async Task SweepStatus_OnAFolderThatIsNoSweep_ExitsWithBadInput() =>
        Assert.Equal(ExitCodes.BadInput, await Cli.InvokeAsync(["sweep", "status", _dir.Root]));
}
