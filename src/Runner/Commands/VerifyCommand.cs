using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using GenLab.Models.Configuration;
using GenLab.Models.Gpt;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Commands;

/// <summary><c>verify [experiments…] [--ci]</c>: runs every shipped CPU experiment (or the reduced variant each declares
/// for CI) as <c>genlab run</c> would, each in its own process, and checks every stated expectation. Prints one table —
/// experiment, result, expected, value, verdict, seconds — and exits 1 when anything is missed, failed or could not
/// run. With <c>--reference DIR</c> it also writes each run's results, final metrics and key figures there.
/// <para>With <c>--parallel N</c> it keeps N runs going at once, each with the machine's cores split between them
/// (<c>GENLAB_THREADS</c>, unless the environment sets it): small convolutions and matrix products gain little from a second thread, so two one-thread
/// runs finish a suite sooner than one two-thread run after another. Runs start longest first — by the duration of the
/// lab's committed reference run (<c>results/reference/&lt;name&gt;/run.json</c>) where there is one — and a run that
/// starts from another's latest run waits for it.</para></summary>
public static class VerifyCommand
{
    /// <param name="Data">Its data folders are passed on to each run (<c>--data-dir</c>).</param>
    /// <param name="Parallel">Runs at once (1: one after another, each with every core).</param>
    /// <param name="DurationHints">Where committed reference runs are (their durations order the runs when parallel).</param>
    public sealed record Options(IReadOnlyList<string> Paths, bool Ci, string? Filter, string ResultsRoot, string? ReferenceRoot,
        DataSearch? Data = null, int Parallel = 1, string? DurationHints = null);

    /// <summary>The most runs <c>--parallel</c> accepts.</summary>
    public const int MaxParallel = 64;

    /// <summary>One experiment's outcome: its expectation rows, or why it has none.</summary>
    private sealed record Outcome(string Name, string File, double Seconds, IReadOnlyList<ExpectationOutcome> Rows, string? Problem,
        bool Skipped = false);

    public static int Execute(Options options)
    {
        var files = ExperimentFiles(options.Paths);
        if (files.Count == 0) return CliErrors.Report($"no experiment files under {string.Join(", ", options.Paths)}");
        var pattern = options.Filter is null ? null : ReproduceCommand.GlobToRegex(options.Filter);

        var planned = new List<(string File, LoadedExperiment Loaded)>();
        var outcomes = new List<Outcome>();
        foreach (string file in files)
        {
            LoadedExperiment loaded;
            try { loaded = ExperimentLoader.Load(file, [], ci: options.Ci && HasCiVariant(file)); }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"invalid {file}\n{e.Message}");
                return ExitCodes.BadInput;
            }
            if (pattern is not null && !pattern.IsMatch(loaded.Config.Name) && !pattern.IsMatch(Path.GetFileNameWithoutExtension(file)))
                continue;
            if (DeviceSelection.Unavailable(loaded.Config.Device) is { } reason)
                outcomes.Add(new Outcome(loaded.Config.Name, file, 0, [], $"skipped: {reason}", Skipped: true));
            else planned.Add((file, loaded));
        }

        if (options.Parallel is < 1 or > MaxParallel)
            return CliErrors.Report($"--parallel {options.Parallel}: must be between 1 and {MaxParallel}");
        var ordered = DependencyOrder(planned);
        outcomes.AddRange(RunAll(options.Parallel == 1 ? ordered : LongestFirst(ordered, options.DurationHints), options));
        Console.WriteLine();
        Console.Write(Table(outcomes));
        int failed = outcomes.Count(o => !o.Skipped && (o.Problem is not null || o.Rows.Any(r => !r.Passed)));
        int checkedCount = outcomes.Sum(o => o.Rows.Count);
        Console.WriteLine($"verify: {outcomes.Count(o => !o.Skipped)} experiment(s) run, {checkedCount} expectation(s) checked, "
            + $"{failed} experiment(s) failing, {outcomes.Count(o => o.Skipped)} skipped; {outcomes.Sum(o => o.Seconds):F0} s");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The committed reference runs: <c>&lt;results&gt;/reference</c>, else the working folder's
    /// <c>results/reference</c> (CI verifies into a scratch results folder); null when neither exists.</summary>
    internal static string? ReferenceFolder(string resultsRoot) =>
        new[] { Path.Combine(resultsRoot, RunCatalog.ReferenceFolder), Path.Combine("results", RunCatalog.ReferenceFolder) }
            .FirstOrDefault(Directory.Exists);

    private static string Variant(LoadedExperiment loaded, Options options) => options.Ci && loaded.HasCiVariant ? " (CI variant)" : "";

    /// <summary>Prints an experiment's verdict line and writes its reference when it met every expectation.</summary>
    /// <returns><paramref name="outcome"/>, or a failing one when its reference could not be written.</returns>
    private static Outcome Finished(Outcome outcome, LoadedExperiment loaded, Options options, string indent)
    {
        Console.WriteLine(outcome.Problem is { } p
            ? $"{indent}{p} ({outcome.Seconds:F0} s)"
            : $"{indent}{outcome.Rows.Count(r => r.Passed)} of {outcome.Rows.Count} expectation(s) met ({outcome.Seconds:F0} s)");
        if (options.ReferenceRoot is null || outcome.Problem is not null || !outcome.Rows.All(r => r.Passed)) return outcome;
        try
        {
            ReferenceRun.Write(LatestRun(options.ResultsRoot, loaded.Config.Name)!, options.ReferenceRoot);
            return outcome;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            string problem = $"reference not written: {e.Message}";
            Console.Error.WriteLine($"{indent}error: {problem}");
            return outcome with { Problem = problem };
        }
    }

    /// <summary>Up to <c>Parallel</c> runs at once, in <paramref name="queue"/>'s order; a run whose
    /// <c>init_from: latest:</c> names another planned run starts after that one has finished. One at a time, each run
    /// keeps the environment's threads; several share the cores and prefix their output with the experiment's name.</summary>
    private static List<Outcome> RunAll(List<(string File, LoadedExperiment Loaded)> queue, Options options)
    {
        bool alone = options.Parallel == 1;
        int? threads = alone ? null : CpuThreads.ShareFor(options.Parallel);
        var planned = queue.Select(q => q.Loaded.Config.Name).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var running = new Dictionary<Task<Outcome>, LoadedExperiment>();
        var outcomes = new List<Outcome>();
        var pending = new List<(string File, LoadedExperiment Loaded)>(queue);
        int started = 0;
        if (!alone) Console.WriteLine($"verify: {queue.Count} experiment(s), {options.Parallel} at a time, {CpuThreads.DescribeShare(threads)}");
        while (pending.Count > 0 || running.Count > 0)
        {
            while (running.Count < options.Parallel && pending.Count > 0
                && (pending.FindIndex(p => InitFromLatest(p.Loaded.Config) is not { } d || !planned.Contains(d) || done.Contains(d)) is var ready
                    and >= 0 ? ready : running.Count == 0 ? 0 : -1) is var next and >= 0)   // a cycle of init_from: start one anyway
            {
                var (file, loaded) = pending[next];
                pending.RemoveAt(next);
                string name = loaded.Config.Name;
                Console.WriteLine($"[{++started}/{queue.Count}] {name}{Variant(loaded, options)}: {Relative(file)}{(alone ? "" : " (started)")}");
                string prefix = alone ? "      " : $"      [{name}] ";
                running.Add(Task.Run(() => RunOne(file, loaded, options, threads, prefix)), loaded);
            }
            var finished = Task.WhenAny(running.Keys).GetAwaiter().GetResult();
            var which = running[finished];
            running.Remove(finished);
            var outcome = finished.GetAwaiter().GetResult();
            done.Add(which.Config.Name);
            outcomes.Add(Finished(outcome, which, options, alone ? "      " : $"      [{which.Config.Name}] "));
        }
        return outcomes;
    }

    /// <summary><paramref name="ordered"/> with the longest known runs first (a committed reference's duration), the
    /// rest after them in their order; dependencies are kept by the scheduler, not by this order.</summary>
    internal static List<(string File, LoadedExperiment Loaded)> LongestFirst(List<(string File, LoadedExperiment Loaded)> ordered,
        string? referenceRoot)
    {
        double Known((string File, LoadedExperiment Loaded) item)
        {
            if (referenceRoot is null) return 0;
            string dir = Path.Combine(referenceRoot, item.Loaded.Config.Name);
            if (!File.Exists(Path.Combine(dir, RunFiles.RunInfo))) return 0;
            try
            {
                var info = RunInfo.Read(dir);
                return info.EndedUtc is { } end ? (end - info.StartedUtc).TotalSeconds : 0;
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException) { return 0; }
        }
        return [.. ordered.Select((item, index) => (item, index, seconds: Known(item)))
            .OrderByDescending(x => x.seconds).ThenBy(x => x.index).Select(x => x.item)];
    }

    /// <summary>The shipped experiment files under each path (a file counts as itself), without the <c>_*.yaml</c>
    /// bases and the data folder, in path order.</summary>
    internal static List<string> ExperimentFiles(IReadOnlyList<string> paths) =>
        [.. paths.SelectMany(p => File.Exists(p) ? [p]
                : Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.yaml", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith('_') && !Path.GetRelativePath(p, f).Split(Path.DirectorySeparatorChar).Contains("data"))
                : [])
            .Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal)];

    private static bool HasCiVariant(string file) => ExperimentLoader.Load(file, []).HasCiVariant;

    /// <summary>An experiment that starts from another's latest run (<c>init_from: latest:&lt;name&gt;</c>) runs after it.</summary>
    internal static List<(string File, LoadedExperiment Loaded)> DependencyOrder(List<(string File, LoadedExperiment Loaded)> planned)
    {
        var byName = planned.ToDictionary(p => p.Loaded.Config.Name, StringComparer.Ordinal);
        var ordered = new List<(string, LoadedExperiment)>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        void Place((string File, LoadedExperiment Loaded) item, int depth)
        {
            if (!placed.Add(item.Loaded.Config.Name) || depth > planned.Count) return;
            if (InitFromLatest(item.Loaded.Config) is { } dependency && byName.TryGetValue(dependency, out var before)) Place(before, depth + 1);
            ordered.Add(item);
        }
        foreach (var item in planned) Place(item, 0);
        return ordered;
    }

    private static string? InitFromLatest(ExperimentConfig config) =>
        config.Model is IStartsFromRun { InitFrom: { } init } && init.StartsWith("latest:", StringComparison.Ordinal) ? init["latest:".Length..] : null;

    /// <param name="threads">GENLAB_THREADS for the child; null leaves the environment's.</param>
    /// <param name="prefix">Put before each line of the child's output shown.</param>
    private static Outcome RunOne(string file, LoadedExperiment loaded, Options options, int? threads, string prefix)
    {
        var clock = Stopwatch.StartNew();
        string name = loaded.Config.Name;
        var start = GenlabProcess(["run", file, "--results", options.ResultsRoot, .. options.Ci && loaded.HasCiVariant ? new[] { "--ci" } : [],
            .. (options.Data?.Directories ?? []).SelectMany(d => new[] { "--data-dir", d })]);
        if (threads is { } n) start.Environment[CpuThreads.Variable] = n.ToString(CultureInfo.InvariantCulture);
        int exit;
        int pid;
        using (var process = Process.Start(start) ?? throw new InvalidOperationException("could not start genlab"))
        {
            pid = process.Id;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line && IsNotable(line)) Console.WriteLine($"{prefix}{line}"); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"{prefix}{line}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            exit = process.ExitCode;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string? runDir = RunOf(options.ResultsRoot, name, pid);
        if (runDir is null) return new Outcome(name, file, seconds, [], $"no run folder (exit code {exit})");
        var results = RunResults.Read(runDir);
        var info = RunInfo.Read(runDir);
        if (results is null) return new Outcome(name, file, seconds, [], $"{info.Status.ToString().ToLowerInvariant()} (exit code {exit}): {info.Error}");
        if (results.Expectations.Count == 0) return new Outcome(name, file, seconds, [], "states no expectation");
        return new Outcome(name, file, seconds, results.Expectations, exit is ExitCodes.Ok or ExitCodes.Failed ? null : $"exit code {exit}");
    }

    /// <summary>The standard-output lines of a child run worth showing while it works: its progress lines (one per
    /// 10% of the steps, <c>step 400/4000 (10%)  loss …  ETA 00:01:08</c>), missed expectations (✗) and anything that
    /// failed. Its standard error — warnings and errors — is shown whole.</summary>
    internal static bool IsNotable(string line) =>
        line.Contains(" ETA ", StringComparison.Ordinal) || line.Contains("✗", StringComparison.Ordinal)
        || line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("error:", StringComparison.Ordinal)
        || line.Contains("warning:", StringComparison.Ordinal);

    /// <summary>The run folder the child process <paramref name="pid"/> made for <paramref name="name"/>.</summary>
    internal static string? RunOf(string resultsRoot, string name, int pid)
    {
        string dir = Path.Combine(resultsRoot, name);
        if (!Directory.Exists(dir)) return null;
        return Directory.EnumerateDirectories(dir)
            .Where(d => File.Exists(Path.Combine(d, RunFiles.RunInfo)) && new DirectoryInfo(d).LinkTarget is null)
            .Select(d => (Dir: d, Info: RunInfo.Read(d)))
            .Where(r => r.Info.ProcessId == pid)
            .OrderByDescending(r => r.Info.StartedUtc)
            .Select(r => r.Dir)
            .FirstOrDefault();
    }

    private static string? LatestRun(string resultsRoot, string name) => RunFolder.ResolveLatest(Path.Combine(resultsRoot, name));

    /// <summary>This genlab again: the apphost when it runs as one, else <c>dotnet genlab.dll</c>.</summary>
    internal static ProcessStartInfo GenlabProcess(IEnumerable<string> arguments)
    {
        var genlab = GenlabCommand();
        var info = new ProcessStartInfo(genlab[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Directory.GetCurrentDirectory(),
        };
        foreach (string argument in genlab.Skip(1).Concat(arguments)) info.ArgumentList.Add(argument);
        info.Environment["CI"] = "1";   // one progress line per 10%, not a redrawn bar
        return info;
    }

    /// <summary>The program and leading arguments that start this genlab: its apphost, or <c>dotnet</c> and genlab.dll.</summary>
    internal static IReadOnlyList<string> GenlabCommand()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll ? dll : Path.Combine(AppContext.BaseDirectory, "genlab.dll")]
            : [host];
    }

    private static string Table(IReadOnlyList<Outcome> outcomes)
    {
        var rows = new List<string[]> { new[] { "experiment", "result", "expected", "value", "verdict", "seconds" } };
        foreach (var o in outcomes.OrderBy(o => o.File, StringComparer.Ordinal))
        {
            string seconds = o.Skipped ? "" : o.Seconds.ToString("F0", CultureInfo.InvariantCulture);
            if (o.Problem is not null && o.Rows.Count == 0)
            {
                rows.Add([o.Name, "", "", "", o.Problem, seconds]);
                continue;
            }
            foreach (var r in o.Rows)
                rows.Add([o.Name, r.Name, r.Rule, r.Value is { } v ? RunResults.Format(v) : "—", r.Verdict, seconds]);
            if (o.Problem is not null) rows.Add([o.Name, "", "", "", o.Problem, seconds]);
        }
        int[] widths = [.. Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length))];
        var text = new System.Text.StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c is 3 or 5 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        return text.ToString();
    }

    private static string Relative(string file) => Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
}
