using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Hosting;
using GenLab.Runner.Sweeps;

namespace GenLab.Runner.Commands;

public static class ValidateCommand
{
    /// <summary><c>validate &lt;yaml&gt;...</c>: loads each file strictly (and each run of its sweep), runs nothing. Data named by URL is checked
    /// where a copy is found (its SHA-256) and otherwise reported as to be fetched: validate never downloads.</summary>
    public static int Execute(IReadOnlyList<string> paths, IReadOnlyList<string> overrides, DataSearch? data = null)
    {
        data ??= DataSearch.FromEnvironment();
        int failures = 0;
        foreach (string path in paths)
        {
            try
            {
                var loaded = ExperimentLoader.Load(path, overrides, data: data);
                string variant = loaded.HasCiVariant ? $", CI variant {ExperimentLoader.Load(path, overrides, ci: true, data: data).ConfigHash}" : "";
                // A sweep's every run is loaded, so a value its key cannot take is found here, at its line.
                if (loaded.Sweep is { } sweep) variant += $", sweep of {SweepPlanner.Plan(path, overrides, sweep, ci: false, data).Count} runs";
                foreach (var named in loaded.NamedData.Where(n => n.Exists)) DataFetcher.Verify(named, data);
                Console.WriteLine($"ok      {path}  ({loaded.Config.Name}, {ConfigNames.EnumSpelling(typeof(ExperimentKind), loaded.Config.Kind)}, config {loaded.ConfigHash}{variant})");
                foreach (var named in loaded.NamedData)
                    Console.WriteLine(named.Exists
                        ? $"        {named.KeyPath}: {named.Source.File} in {Path.GetDirectoryName(named.Path)} (SHA-256 checked)"
                        : $"        {named.KeyPath}: {named.Source.File} will be fetched on the first run from {named.Source.Url} into {data.CacheDirectory}");
            }
            catch (Exception e) when (e is ConfigException or DataUnavailableException)
            {
                failures++;
                Console.Error.WriteLine($"invalid {path}");
                Console.Error.WriteLine(e.Message);
            }
        }
        return failures == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }
}
