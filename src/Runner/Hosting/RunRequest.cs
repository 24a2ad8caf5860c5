using GenLab.Runner.Config;
using GenLab.Runner.Data;

namespace GenLab.Runner.Hosting;

/// <summary>What the hosted service is asked to do: start a new run of <see cref="Experiment"/>, or continue the
/// run in <see cref="ResumeDirectory"/>.</summary>
public sealed record RunRequest
{
    public LoadedExperiment? Experiment { get; init; }
    public string? ResumeDirectory { get; init; }
    /// <summary>Resume even though the run's experiment.yaml or data changed since it started; the run is marked changed.</summary>
    public bool AllowChanged { get; init; }
    public string ResultsRoot { get; init; } = "results";
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    /// <summary>Where data named by URL is found and fetched to: the search <see cref="Experiment"/> was loaded with,
    /// and the one a resumed run's experiment.yaml is loaded with (plus the folders the run recorded).</summary>
    public DataSearch Data { get; init; } = DataSearch.FromEnvironment();
}
