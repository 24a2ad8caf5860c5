using GenLab.Runner.Data;
using GenLab.Runner.Sweeps;

namespace GenLab.Runner.Config;

/// <summary>A bound experiment plus what a run folder needs to reproduce it: the resolved YAML (every value,
/// defaults included), its short hash, the full paths of the YAML files it was composed from, whether the file
/// declares a reduced CI variant (<c>ci:</c>), and the files it names by URL and SHA-256, which must be verified or
/// fetched (<see cref="DataFetcher"/>) before a run reads them.</summary>
public sealed record LoadedExperiment(
    ExperimentConfig Config, string ResolvedYaml, string ConfigHash, IReadOnlyList<string> SourceFiles, bool HasCiVariant = false,
    IReadOnlyList<LocatedData>? NamedData = null)
{
    public IReadOnlyList<LocatedData> NamedData { get; init; } = NamedData ?? [];

    /// <summary>The file's <c>sweep:</c> section, checked for shape; null when it has none. Not part of the config:
    /// a run ignores it, <c>genlab sweep</c> runs one config per point.</summary>
    public SweepSpec? Sweep { get; init; }
}
