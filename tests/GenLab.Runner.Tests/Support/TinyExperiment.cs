using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Tests.Support;

/// <summary>Tests that train share torch's global generator (<c>manual_seed</c> before the model is built), so they
/// must not run beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}

/// <summary>A tiny <c>mlp_char</c> experiment in a temp folder: 60 short words, a 40-step run well under a second.</summary>
internal static class TinyExperiment
{
    public static readonly string[] Words =
    [
        "ana", "bia", "caio", "davi", "eva", "ema", "gil", "hugo", "iara", "joao",
        "kaio", "lara", "leo", "luna", "malu", "mia", "nina", "noa", "otto", "paulo",
        "rui", "rosa", "sara", "teo", "tais", "ugo", "vera", "vivi", "yara", "zeca",
        "alice", "bento", "clara", "dora", "elis", "fabio", "gael", "heitor", "ines", "jade",
        "lia", "lucas", "maya", "nuno", "olga", "pedro", "raul", "sofia", "tito", "ursa",
        "alba", "bela", "cris", "duda", "enzo", "flor", "gabi", "igor", "joana", "lis",
    ];

    public const string Yaml = """
        name: tiny
        kind: mlp_char
        seed: 7
        device: cpu
        data:
          path: words.txt
          val_fraction: 0.2
        model:
          context_length: 2
          embedding_dim: 4
          hidden_size: 8
        training:
          steps: 40
          batch_size: 8
          lr: 0.01
          min_lr: 0.001
          warmup_steps: 5
          eval_every: 10
          eval_batches: 2
          log_every: 5
          checkpoint_every: 10
          keep_checkpoints: 10
        report:
          samples: 2
          sample_max_length: 8
        """;

    /// <summary>Writes words.txt and experiment.yaml into <paramref name="dir"/>; returns the YAML's path.</summary>
    public static string Write(TempDir dir, string yaml = Yaml)
    {
        dir.Write("words.txt", string.Join("\n", Words) + "\n");
        return dir.Write("experiment.yaml", yaml);
    }

    public static LoadedExperiment Load(TempDir dir, params string[] overrides) =>
        ExperimentLoader.Load(Path.Combine(dir.Root, "experiment.yaml"), overrides);

    public static (int ExitCode, string RunDir) Run(LoadedExperiment experiment, string resultsRoot,
        CancellationToken stop = default, ILogger<ExperimentSession>? logger = null)
    {
        var session = NewSession(logger);
        int exit = session.Execute(new RunRequest { Experiment = experiment, ResultsRoot = resultsRoot }, stop);
        return (exit, session.Recorder?.Folder.Path ?? "");
    }

    public static int Resume(string runDir, ILogger<ExperimentSession>? logger = null, bool allowChanged = false) =>
        NewSession(logger).Execute(new RunRequest { ResumeDirectory = runDir, AllowChanged = allowChanged }, CancellationToken.None);

    public static ExperimentSession NewSession(ILogger<ExperimentSession>? logger = null) =>
        new(logger ?? new HookLogger(), new RunLogFile());

    /// <summary>The rows that must be identical between runs: train and val (perf rows are timings).</summary>
    public static List<(long Step, string Split, string Metric, double Value)> DeterministicRows(string runDir) =>
        MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics))
            .Where(r => r.Split is "train" or "val")
            .Select(r => (r.Step, r.Split, r.Metric, r.Value))
            .ToList();
}
