using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

public static class RunCommand
{
    /// <summary><c>run &lt;experiment.yaml&gt;</c>: validate, then execute inside the hosted service (which verifies or
    /// fetches the data named by URL first).</summary>
    public static async Task<int> ExecuteAsync(string experimentPath, IReadOnlyList<string> overrides, string? device,
        long? seed, string resultsRoot, IReadOnlyList<string> commandLine, bool ci = false, DataSearch? data = null)
    {
        data ??= DataSearch.FromEnvironment();
        if (File.Exists(resultsRoot)) return CliErrors.Report($"--results {resultsRoot} is a file; it names the folder that receives run folders");
        var all = new List<string>(overrides);
        if (device is not null) all.Add($"device={device}");
        if (seed is not null) all.Add($"seed={seed}");
        LoadedExperiment loaded;
        try { loaded = ExperimentLoader.Load(experimentPath, all, ci: ci, data: data); }
        catch (ConfigException e) { return CliErrors.Report(e); }
        return await RunHost.RunAsync(new RunRequest { Experiment = loaded, ResultsRoot = resultsRoot, CommandLine = commandLine, Data = data });
    }

    public static async Task<int> ResumeAsync(string runDirectory, IReadOnlyList<string> commandLine, DataSearch? data = null,
        bool allowChanged = false)
    {
        if (!Directory.Exists(runDirectory) && !File.Exists(runDirectory)) return CliErrors.Report($"{runDirectory}: no such run folder");
        return await RunHost.RunAsync(new RunRequest
        {
            ResumeDirectory = runDirectory, CommandLine = commandLine, Data = data ?? DataSearch.FromEnvironment(), AllowChanged = allowChanged,
        });
    }
}
