using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Training;

/// <summary><c>resume</c> continues a run only on the inputs it started with, unless told otherwise.</summary>
[Collection(TorchCollection.Name)]
public sealed class ResumeChangedInputsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public ResumeChangedInputsTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    private string Interrupted()
    {
        using var stop = new CancellationTokenSource();
        var (exit, run) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results, stop.Token, HookLogger.CancelAfterEvaluation(20, stop));
        Assert.Equal(ExitCodes.Interrupted, exit);
        return run;
    }

    private static void MultiplyLrByTen(string run)
    {
        string yaml = Path.Combine(run, RunFiles.Experiment);
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("lr: 0.01", "lr: 0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void Resume_AfterExperimentYamlWasEdited_RefusesWithBadInputAndChangesNothing()
    {
        string run = Interrupted();
        MultiplyLrByTen(run);
        var before = RunInfo.Read(run);
        var logger = new HookLogger();

        int exit = TinyExperiment.Resume(run, logger);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("experiment.yaml changed since the run started", logger.Text());
        Assert.Contains("--allow-changed", logger.Text());
        var after = RunInfo.Read(run);
        Assert.Equal((RunStatus.Interrupted, 20L), (after.Status, after.Step));
        Assert.Equal(before.InputHashes, after.InputHashes);
    }

    [Fact]
    public void Resume_AfterADataFileChanged_Refuses()
    {
        string run = Interrupted();
        File.AppendAllText(Path.Combine(_dir.Root, "words.txt"), "zoe\n");
        var logger = new HookLogger();

        Assert.Equal(ExitCodes.BadInput, TinyExperiment.Resume(run, logger));

        Assert.Contains("data file words.txt changed since the run started", logger.Text());
    }

    [Fact]
    public void Resume_WithAllowChanged_RecordsTheNewHashesAndMarksTheRunChanged_AndReproduceDoesNotCountIt()
    {
        string run = Interrupted();
        MultiplyLrByTen(run);

        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(run, allowChanged: true));

        var info = RunInfo.Read(run);
        Assert.Equal(RunStatus.Completed, info.Status);
        Assert.Equal(CheckpointStore.Sha256Of(Path.Combine(run, RunFiles.Experiment)), info.InputHashes[InputFingerprint.ConfigKey]);
        Assert.Equal(["step 20: experiment.yaml changed"], info.ChangedInputs);
        Assert.Equal($"its completed runs were resumed with changed inputs (--allow-changed), last run {info.RunId}",
            ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results));
    }

    [Fact]
    public void Resume_WhenNothingChanged_FromAnotherWorkingDirectory_Continues()
    {
        string run = Interrupted();
        string previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Path.GetTempPath();
            Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(run));
        }
        finally { Environment.CurrentDirectory = previous; }

        Assert.Null(RunInfo.Read(run).ChangedInputs);
        Assert.Null(ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results));
    }
}
