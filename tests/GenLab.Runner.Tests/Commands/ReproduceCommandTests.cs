using GenLab.Runner.Commands;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Commands;

[Collection(TorchCollection.Name)]
public sealed class ReproduceCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public ReproduceCommandTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WhyStale_FollowsRunsDataAndConfig()
    {
        Assert.Equal("no completed run yet", ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results));

        var (exit, _) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
        Assert.Equal(0, exit);
        Assert.Null(ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results));

        var changedConfig = ReproduceCommand.WhyStale(TinyExperiment.Load(_dir, "training.lr=0.02"), _results);
        Assert.NotNull(changedConfig);
        Assert.StartsWith("resolved config changed since run ", changedConfig);

        File.AppendAllText(Path.Combine(_dir.Root, "words.txt"), "zoe\n");
        var changedData = ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results);
        Assert.NotNull(changedData);
        Assert.Matches(@"^data file \S*words\.txt changed since run ", changedData);
        Assert.DoesNotContain("resolved config", changedData);
    }

    [Fact]
    public void WhyStale_IgnoresInterruptedRuns()
    {
        using var stop = new CancellationTokenSource();
        TinyExperiment.Run(TinyExperiment.Load(_dir), _results, stop.Token, HookLogger.CancelAfterEvaluation(10, stop));

        Assert.Equal("no completed run yet", ReproduceCommand.WhyStale(TinyExperiment.Load(_dir), _results));
    }
}
