using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Hosting;

/// <summary>Bad input ends with exit code 2 and leaves no run folder behind.</summary>
[Collection(TorchCollection.Name)]
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public BadInputTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    private bool AnyRunFolder() =>
        Directory.Exists(_results) && Directory.EnumerateFiles(_results, "run.json", SearchOption.AllDirectories).Any();

    [Fact]
    public async Task Run_WhenExperimentFileIsMissing_ExitsWithBadInputAndCreatesNoRun()
    {
        int exit = await Cli.InvokeAsync(["run", Path.Combine(_dir.Root, "missing.yaml"), "--results", _results]);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.False(Directory.Exists(_results));
    }

    [Fact]
    public async Task Resume_WhenFolderIsMissing_ExitsWithBadInput()
    {
        int exit = await Cli.InvokeAsync(["resume", Path.Combine(_dir.Root, "no-such-run")]);

        Assert.Equal(ExitCodes.BadInput, exit);
    }

    [Fact]
    public async Task Run_WithDeviceCudaOnCpuBuild_ExitsWithBadInputThroughTheCli()
    {
        if (Runner.Runs.RunEnvironment.TorchBackend == "cuda") return;      // only a CPU build must refuse
        int exit = await Cli.InvokeAsync(["run", Path.Combine(_dir.Root, "experiment.yaml"), "--device", "cuda", "--results", _results]);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.False(AnyRunFolder());
    }

    [Fact]
    public void Execute_WithDeviceCudaOnCpuBuild_NamesTorchBackend()
    {
        if (Runner.Runs.RunEnvironment.TorchBackend == "cuda") return;      // only a CPU build must refuse
        var logger = new HookLogger();

        var (exit, _) = TinyExperiment.Run(TinyExperiment.Load(_dir, "device=cuda"), _results, logger: logger);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("TorchBackend", logger.Text());
        Assert.False(AnyRunFolder());
    }

    [Fact]
    public void Execute_WhenCorpusHasOneLine_ExitsWithBadInputAndCreatesNoRun()
    {
        _dir.Write("words.txt", "ana\n\n");
        var logger = new HookLogger();

        var (exit, _) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results, logger: logger);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("needs at least 2 non-empty lines", logger.Text());
        Assert.False(AnyRunFolder());
    }
}
