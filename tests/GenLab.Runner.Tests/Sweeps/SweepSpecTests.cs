using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Sweeps;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Sweeps;

/// <summary>What a sweep varies (the <c>sweep:</c> section, <c>--grid</c>), its runs, and the Slurm batch script; no run
/// is trained here.</summary>
public sealed class SweepSpecTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string sweep) => TinyExperiment.Write(_dir, TinyExperiment.Yaml + "\n" + sweep);

    private static SweepAxis? Grid(string text, List<ConfigError> errors) => SweepSpec.ReadArgument(text, 1, errors);

    [Fact]
    public void Section_GridListAndSeeds_GiveEveryCombination_FirstGridKeySlowest()
    {
        string yaml = Write("""
            sweep:
              grid:
                training.lr: [0.01, 0.02]
                model.hidden_size: [8, 16]
              list:
                - { model.embedding_dim: 4 }
                - { model.embedding_dim: 6 }
              seeds: [1, 2]
            """);
        var spec = ExperimentLoader.Load(yaml, []).Sweep!;

        Assert.Equal(["model.embedding_dim", "training.lr", "model.hidden_size", "seed"], spec.Keys);
        var points = spec.Points();
        Assert.Equal(16, spec.Count);
        Assert.Equal(16, points.Count);
        Assert.Equal("model.embedding_dim=4 training.lr=0.01 model.hidden_size=8 seed=1", points[0].Label);
        Assert.Equal("model.embedding_dim=4 training.lr=0.01 model.hidden_size=8 seed=2", points[1].Label);
        Assert.Equal("model.embedding_dim=6 training.lr=0.02 model.hidden_size=16 seed=2", points[^1].Label);
    }

    [Fact]
    public void Run_IgnoresTheSweepSection_TheConfigHashIsTheFilesWithout()
    {
        string plain = TinyExperiment.Write(_dir);
        string hash = ExperimentLoader.Load(plain, []).ConfigHash;
        string swept = Write("sweep:\n  grid:\n    training.lr: [0.01, 0.02]\n");

        var loaded = ExperimentLoader.Load(swept, []);
        Assert.Equal(hash, loaded.ConfigHash);
        Assert.NotNull(loaded.Sweep);
    }

    [Theory]
    [InlineData("sweep:\n  gird:\n    training.lr: [0.1]\n", "sweep.gird", "did you mean `grid`")]
    [InlineData("sweep:\n  grid:\n    training.lr: 0.1\n", "sweep.grid.training.lr", "expected a list of values")]
    [InlineData("sweep:\n  grid:\n    training.lr: []\n", "sweep.grid.training.lr", "an empty list gives no runs")]
    [InlineData("sweep:\n  grid:\n    name: [a, b]\n", "sweep.grid.name", "share the experiment's name")]
    [InlineData("sweep:\n  seeds: [1, x]\n", "sweep.seeds", "whole-number seeds")]
    [InlineData("sweep: {}\n", "sweep", "sweeps nothing")]
    public void Section_WhenMalformed_NamesTheFileLineAndKey(string sweep, string key, string message)
    {
        string yaml = Write(sweep);
        int line = TinyExperiment.Yaml.Split('\n').Length + 1;     // the sweep: line

        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(yaml, []));

        var error = Assert.Single(e.Errors);
        Assert.Equal(key, error.KeyPath);
        Assert.Contains(message, error.Message);
        Assert.EndsWith("experiment.yaml", error.File);
        Assert.InRange(error.Line, line, line + 3);
    }

    [Fact]
    public void Plan_WhenASweptValueIsInvalid_ReportsItAtItsLineInTheSweep()
    {
        string yaml = Write("sweep:\n  grid:\n    training.lr: [0.01, -1]\n    model.hidden_size: [8, big]\n");
        var spec = ExperimentLoader.Load(yaml, []).Sweep!;
        int line = TinyExperiment.Yaml.Split('\n').Length + 3;

        var e = Assert.Throws<ConfigException>(() => SweepPlanner.Plan(yaml, [], spec, ci: false, DataSearch.FromEnvironment()));

        Assert.Contains(e.Errors, x => x.Line == line && x.KeyPath == "training.lr" && x.File.EndsWith("experiment.yaml"));
        Assert.Contains(e.Errors, x => x.Line == line + 1 && x.KeyPath == "model.hidden_size");
    }

    [Fact]
    public void Plan_WhenTwoPointsResolveToOneConfig_IsAnError()
    {
        string yaml = TinyExperiment.Write(_dir);
        var errors = new List<ConfigError>();
        var spec = new SweepSpec([], [Grid("training.lr=[0.01, 1e-2]", errors)!]);

        var e = Assert.Throws<ConfigException>(() => SweepPlanner.Plan(yaml, [], spec, ci: false, DataSearch.FromEnvironment()));
        Assert.Contains("resolve to one config", e.Message);
    }

    [Theory]
    [InlineData("training.lr=[3e-4,1e-3]", "training.lr", new[] { "3e-4", "1e-3" })]
    [InlineData("training.lr=0.1", "training.lr", new[] { "0.1" })]
    [InlineData("data.path=['a b.txt', c.txt]", "data.path", new[] { "a b.txt", "c.txt" })]
    public void GridArgument_IsAKeyAndAYamlList(string text, string key, string[] values)
    {
        var errors = new List<ConfigError>();
        var axis = Grid(text, errors);

        Assert.Empty(errors);
        Assert.Equal(key, axis!.Key);
        Assert.Equal(values, axis.Values.Select(v => v.Text.Trim('"')));
    }

    [Theory]
    [InlineData("training.lr", "expected key=[values]")]
    [InlineData("training.lr=[0.1", "")]
    [InlineData("training.lr=[]", "an empty list gives no runs")]
    [InlineData("=[1,2]", "expected a dotted config key")]
    [InlineData("ci.steps=[1,2]", "not a config key a run can set")]
    public void GridArgument_WhenMalformed_IsAnErrorNamingTheArgument(string text, string message)
    {
        var errors = new List<ConfigError>();

        Assert.Null(Grid(text, errors));
        var error = Assert.Single(errors);
        Assert.Equal(SweepSpec.GridOption, error.File);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void GridArgument_ReplacesTheFilesAxisOfTheSameKey()
    {
        string yaml = Write("sweep:\n  grid:\n    training.lr: [0.01, 0.02]\n    model.hidden_size: [8, 16]\n");
        var errors = new List<ConfigError>();
        var spec = ExperimentLoader.Load(yaml, []).Sweep!.WithGrid([Grid("training.lr=[0.05]", errors)!]);

        Assert.Equal(2, spec.Count);
        Assert.All(spec.Points(), p => Assert.StartsWith("training.lr=0.05 ", p.Label));
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, null, "0-3")]
    [InlineData(new[] { 3, 0, 1, 7, 9, 10 }, 2, "0-1,3,7,9-10%2")]
    public void ArraySpec_IsSlurmsRangeSyntax(int[] indices, int? parallel, string expected) =>
        Assert.Equal(expected, SlurmExecutor.ArraySpec(indices, parallel));

    [Theory]
    [InlineData("training.lr=0.003", "training.lr=0.003")]
    [InlineData("model.layers=[1, 2]", "'model.layers=[1, 2]'")]
    [InlineData("it's", "'it'\\''s'")]
    public void ShellQuote_CanBePastedBack(string arg, string quoted) => Assert.Equal(quoted, Shell.Quote(arg));
}
