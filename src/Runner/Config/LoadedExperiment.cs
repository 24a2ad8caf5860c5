namespace GenLab.Runner.Config;

/// <summary>A bound experiment plus what a run folder needs to reproduce it: the resolved YAML (every value,
/// defaults included), its short hash, and the full paths of the YAML files it was composed from.</summary>
public sealed record LoadedExperiment(
    ExperimentConfig Config, string ResolvedYaml, string ConfigHash, IReadOnlyList<string> SourceFiles);
