using GenLab.Runner.Config;

namespace GenLab.Runner.Hosting;

/// <summary>What the hosted service is asked to do: start a new run of <see cref="Experiment"/>, or continue the
/// run in <see cref="ResumeDirectory"/>.</summary>
public sealed record RunRequest
{
    public LoadedExperiment? Experiment { get; init; }
    public string? ResumeDirectory { get; init; }
    public string ResultsRoot { get; init; } = "results";
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}
