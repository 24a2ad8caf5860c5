namespace GenLab.Runner.Config;

/// <summary>A bound experiment plus what a run folder needs to reproduce it: the resolved YAML (every value,
/// defaults included), its short hash, the full paths of the YAML files it was composed from, and whether the file
/// declares a reduced CI variant (<c>ci:</c>).</summary>
public sealed record LoadedExperiment(
    ExperimentConfig Config, string ResolvedYaml, string ConfigHash, IReadOnlyList<string> SourceFiles, bool HasCiVariant = false);
