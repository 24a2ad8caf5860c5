using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Sweeps;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Sweeps;

/// <summary><c>genlab sweep --executor slurm</c> against a real Slurm: a one-node cluster started for the test
/// (<see cref="SlurmCluster"/>), a 4-run sweep as one job array, its run folders and report, <c>sweep status</c>, and a
/// lost run resubmitted alone. Without Slurm the test fails, saying why.</summary>
[Collection(TorchCollection.Name)]
public sealed class SlurmSweepTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SlurmSweep_FourRunsAsOneJobArray_CompleteWithAReport_AndALostRunIsResubmittedAlone()
    {
        if (OperatingSystem.IsWindows()) return;        // Slurm is Linux's
        using var cluster = SlurmCluster.Start();
        TinyExperiment.Write(_dir);
        string results = Path.Combine(_dir.Root, "results");

        var (exit, output) = await GenlabProcess.RunAsync(["sweep", "experiment.yaml", "--grid", "training.lr=[0.01,0.02,0.03,0.05]",
            "--executor", "slurm", "--partition", cluster.Partition, "--time", "10:00", "--cpus-per-task", "1", "--wait",
            "--results", results], cluster.Environment, _dir.Root);

        Assert.True(exit == ExitCodes.Ok, $"{output}\n{cluster.Logs()}");
        var sweep = SweepFolder.Open(Path.Combine(results, "tiny", SweepManifest.Folder, RunFolder.LatestLink));
        var submission = Assert.Single(sweep.Manifest.Submissions);
        string script = File.ReadAllText(Path.Combine(sweep.Path, submission.Script));
        Assert.Contains("#SBATCH --array=0-3", script);
        Assert.Contains($"#SBATCH --partition={cluster.Partition}", script);
        Assert.Contains("#SBATCH --time=10:00", script);
        Assert.Contains("#SBATCH --cpus-per-task=1", script);
        // Each task runs the command a user types for its run.
        Assert.Contains($"  2) exec genlab run experiment.yaml --set training.lr=0.03 --results {results} ;;", script);
        Assert.Equal(4, sweep.Manifest.Runs.Count);
        foreach (var entry in sweep.Manifest.Runs)
        {
            string runDir = sweep.RunDirectory(entry)!;
            Assert.Equal(RunStatus.Completed, RunInfo.Read(runDir).Status);
            Assert.Equal($"{submission.JobId}_{entry.Index}", entry.SlurmTask);
            Assert.True(File.Exists(Path.Combine(sweep.Logs, $"{entry.SlurmTask}.out")), entry.SlurmTask);
        }
        Assert.Equal(4, sweep.Manifest.Runs.Select(r => r.Run).Distinct().Count());
        string report = File.ReadAllText(Path.Combine(sweep.Report, ComparisonReport.Markdown));
        Assert.Contains("training.lr", report);
        Assert.Contains("★ Best run", report);

        (exit, output) = await GenlabProcess.RunAsync(["sweep", "status", sweep.Path], cluster.Environment, _dir.Root);
        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Contains("4 runs: 4 completed", output);

        // A run lost (its folder deleted): resume submits its task alone, as a second job array.
        Directory.Delete(sweep.RunDirectory(sweep.Manifest.Runs[2])!, recursive: true);
        (exit, output) = await GenlabProcess.RunAsync(["sweep", "resume", sweep.Path, "--wait"], cluster.Environment, _dir.Root);

        Assert.True(exit == ExitCodes.Ok, $"{output}\n{cluster.Logs()}");
        sweep = SweepFolder.Open(sweep.Path);
        Assert.Equal(2, sweep.Manifest.Submissions.Count);
        Assert.Equal([2], sweep.Manifest.Submissions[1].Indices);
        Assert.Contains("#SBATCH --array=2\n", File.ReadAllText(Path.Combine(sweep.Path, sweep.Manifest.Submissions[1].Script)));
        Assert.All(sweep.Manifest.Runs, r => Assert.Equal(RunStatus.Completed, RunInfo.Read(sweep.RunDirectory(r)!).Status));
        Assert.Contains("4 runs: 4 completed", output);
    }
}
