using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Commands;

/// <summary><c>reproduce &lt;yaml&gt;...</c> (what <c>dotnet build experiments -t:Reproduce</c> calls): reruns each
/// experiment whose inputs — resolved config, data files, model code, judged by content hash — differ from its last
/// completed run, and says why it runs or skips each one.</summary>
public static class ReproduceCommand
{
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> paths, string? filter, string resultsRoot,
        bool dryRun, IReadOnlyList<string> commandLine, DataSearch? data = null)
    {
        data ??= DataSearch.FromEnvironment();
        var pattern = filter is null ? null : GlobToRegex(filter);
        int failures = 0, ran = 0, skipped = 0;
        // Every file is loaded before anything runs: an invalid one is bad input (exit code 2), as in verify.
        var experiments = new List<(string Path, LoadedExperiment Loaded)>();
        foreach (string path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            try { experiments.Add((path, ExperimentLoader.Load(path, [], data: data))); }
            catch (ConfigException e) { Console.Error.WriteLine($"invalid {path}\n{e.Message}"); }
        }
        if (experiments.Count < paths.Count) return ExitCodes.BadInput;
        foreach (var (path, loaded) in experiments)
        {
            string name = loaded.Config.Name;
            if (pattern is not null && !pattern.IsMatch(name) && !pattern.IsMatch(Path.GetFileNameWithoutExtension(path)))
                continue;

            if (DeviceSelection.Unavailable(loaded.Config.Device) is { } unavailable)
            {
                skipped++;
                Console.WriteLine($"skipped     {name}  ({unavailable})");
                continue;
            }
            string? reason = WhyStale(loaded, resultsRoot);
            if (reason is null)
            {
                skipped++;
                Console.WriteLine($"up to date  {name}  ({Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}: config, data and model code unchanged since its last completed run)");
                continue;
            }
            Console.WriteLine($"stale       {name}  ({Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}: {reason})");
            if (dryRun) continue;
            ran++;
            int exit = await RunHost.RunAsync(new RunRequest { Experiment = loaded, ResultsRoot = resultsRoot, CommandLine = commandLine, Data = data });
            if (exit != ExitCodes.Ok)
            {
                failures++;
                Console.Error.WriteLine($"failed      {name} (exit code {exit})");
                if (exit == ExitCodes.Interrupted) return exit;
            }
        }
        Console.WriteLine($"reproduce: {ran} run, {skipped} up to date, {failures} failed");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Null when a completed run has exactly these input hashes; otherwise what differs from the newest one.</summary>
    public static string? WhyStale(LoadedExperiment loaded, string resultsRoot) => Judge(loaded, resultsRoot).Reason;

    /// <summary>The newest completed run with exactly these input hashes — a reproduction of <paramref name="loaded"/>,
    /// which <c>reproduce</c> counts as up to date and a sweep reuses — or, when there is none, why not.</summary>
    /// <param name="runs">The runs under <paramref name="resultsRoot"/>, when the caller has them.</param>
    public static (string? Run, string? Reason) Judge(LoadedExperiment loaded, string resultsRoot, IReadOnlyList<RunEntry>? runs = null)
    {
        var current = InputFingerprint.Compute(loaded, resultsRoot);
        var completed = (runs ?? ListCommand.Find(resultsRoot))
            .Where(r => r.Name == loaded.Config.Name && r.Status == "completed")
            .Select(r => (r.Path, Info: RunInfo.Read(r.Path)))
            .ToList();
        if (completed.Count == 0) return (null, "no completed run yet");
        // A run resumed with changed inputs ran on two configs or data sets: it reproduces neither.
        var clean = completed.Where(r => r.Info.ChangedInputs is not { Count: > 0 }).ToList();
        if (clean.Count == 0)
            return (null, $"its completed runs were resumed with changed inputs (--allow-changed), last run {completed.MaxBy(r => r.Info.StartedUtc).Info.RunId}");
        if (clean.Where(r => SameHashes(r.Info.InputHashes, current)).OrderByDescending(r => r.Info.StartedUtc).Select(r => r.Path).FirstOrDefault() is { } same)
            return (same, null);
        var newest = clean.MaxBy(r => r.Info.StartedUtc).Info;
        var changes = new List<string>();
        foreach (var (key, hash) in current)
        {
            if (!newest.InputHashes.TryGetValue(key, out string? old)) changes.Add(key.StartsWith(InputFingerprint.DataPrefix, StringComparison.Ordinal) ? $"new data file {key[InputFingerprint.DataPrefix.Length..]}" : $"{key} not recorded before");
            else if (old != hash) changes.Add(Describe(key));
        }
        foreach (string key in newest.InputHashes.Keys.Where(k => !current.ContainsKey(k)))
            changes.Add($"{key} no longer used");
        return (null, string.Join(", ", changes) + $" since run {newest.RunId}");
    }

    private static string Describe(string key) => key switch
    {
        InputFingerprint.ConfigKey => "resolved config changed",
        InputFingerprint.CodeKey => "model code changed",
        InputFingerprint.InitKey => "the init_from checkpoint changed",
        _ => $"data file {key[InputFingerprint.DataPrefix.Length..]} changed",
    };

    private static bool SameHashes(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value);

    internal static Regex GlobToRegex(string glob) =>
        new("^(" + string.Join("|", glob.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(g => Regex.Escape(g).Replace(@"\*", ".*").Replace(@"\?", "."))) + ")$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
