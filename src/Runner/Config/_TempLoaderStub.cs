namespace GenLab.Runner.Config;
public sealed record LoadedExperiment(ExperimentConfig Config, string ResolvedYaml, string ConfigHash, IReadOnlyList<string> SourceFiles);
public sealed class ConfigException(string m) : Exception(m);
public static class ExperimentLoader { public static LoadedExperiment Load(string path, IReadOnlyList<string> overrides, string? pathBase = null) => throw new NotImplementedException(); }
