using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Commands;

[Collection(TorchCollection.Name)]
public sealed class ListCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public ListCommandTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    private string FakeRun(string name, RunStatus status, int? processId, DateTimeOffset started)
    {
        var folder = RunFolder.Create(_results, name, "00000000", started);
        new RunInfo
        {
            Name = name, Kind = "MlpChar", RunId = folder.RunId, Status = status, StartedUtc = started,
            TotalSteps = 40, Step = 10, ProcessId = processId, Environment = new EnvironmentInfo(),
        }.Write(folder.Path);
        return folder.Path;
    }

    [Fact]
    public void Find_ShowsEachRunWithItsStatus_AndARunningRunWithDeadProcessAsCrashed()
    {
        var (_, completed) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
        string crashed = FakeRun("ghost", RunStatus.Running, int.MaxValue, DateTimeOffset.UtcNow.AddHours(1));
        string alive = FakeRun("alive", RunStatus.Running, Environment.ProcessId, DateTimeOffset.UtcNow.AddHours(2));
        string interrupted = FakeRun("stopped", RunStatus.Interrupted, int.MaxValue, DateTimeOffset.UtcNow.AddHours(3));

        var rows = ListCommand.Find(_results);

        Assert.Equal(
            [("tiny", "completed", 40L, completed), ("ghost", "crashed", 10L, crashed),
             ("alive", "running", 10L, alive), ("stopped", "interrupted", 10L, interrupted)],
            rows.Select(r => (r.Name, r.Status, r.Step, r.Path)));
        Assert.NotNull(rows[0].Best);
    }

    [Fact]
    public void Find_WhenResultsFolderIsMissing_ReturnsNothing() =>
        Assert.Empty(ListCommand.Find(Path.Combine(_dir.Root, "nowhere")));
}
