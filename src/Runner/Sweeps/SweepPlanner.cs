using GenLab.Runner.Config;
using GenLab.Runner.Data;

namespace GenLab.Runner.Sweeps;

/// <summary>A run of a sweep, loaded as its <c>genlab run</c> will load it.</summary>
public sealed record PlannedRun(SweepPoint Point, LoadedExperiment Loaded);

/// <summary>Turns a sweep into its runs and checks every one before anything starts: each point's config is loaded as
/// <c>genlab run FILE --set … --set key=value</c> will load it, so a value a key cannot take is an error at the line and
/// column where the sweep gives it (or at its <c>--grid</c>), and two points that resolve to one config are an error.</summary>
public static class SweepPlanner
{
    /// <exception cref="ConfigException">A point's config is invalid, two points are one config, or there are too many.</exception>
    public static IReadOnlyList<PlannedRun> Plan(string experiment, IReadOnlyList<string> set, SweepSpec spec, bool ci, DataSearch data)
    {
        string file = YamlComposer.DisplayPath(Path.GetFullPath(experiment));
        if (spec.Count > SweepSpec.MaxRuns)
            throw new ConfigException([new ConfigError(file, 0, 0, SweepSpec.SectionKey, $"more than {SweepSpec.MaxRuns} runs; a sweep has at most {SweepSpec.MaxRuns}")]);

        var errors = new List<ConfigError>();
        var planned = new List<PlannedRun>();
        foreach (var point in spec.Points())
        {
            try { planned.Add(new PlannedRun(point, ExperimentLoader.Load(experiment, [.. set, .. point.Overrides], ci: ci, data: data))); }
            catch (ConfigException e) { errors.AddRange(e.Errors.Select(error => Place(error, point, set.Count))); }
        }
        errors = errors.DistinctBy(e => e.ToString()).ToList();
        foreach (var same in planned.GroupBy(p => p.Loaded.ConfigHash).Where(g => g.Count() > 1))
            errors.Add(new ConfigError(file, 0, 0, SweepSpec.SectionKey, $"{string.Join(" and ", same.Select(p => $"`{p.Point.Label}`"))} "
                + $"resolve to one config ({same.Key}): each run of a sweep must differ"));
        if (errors.Count > 0) throw new ConfigException(errors);
        return planned;
    }

    /// <summary>An error about the n-th override is placed at the sweep value it came from; any other error names the run.</summary>
    private static ConfigError Place(ConfigError error, SweepPoint point, int shared)
    {
        int index = error.File == ExperimentLoader.SetSource ? error.Line - shared - 1 : -1;
        if (index >= 0 && index < point.Values.Count && point.Values[index].Value is var value)
            return error with { File = value.File, Line = value.Line, Column = value.Column };
        return point.Values.Count == 0 ? error : error with { Message = $"{error.Message} (in the sweep's run {point.Label})" };
    }
}
