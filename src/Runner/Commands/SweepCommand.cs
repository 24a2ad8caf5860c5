using System.Globalization;
using System.Runtime.InteropServices;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Sweeps;
using GenLab.Runner.Training;

namespace GenLab.Runner.Commands;

/// <summary><c>genlab sweep FILE [--grid key=[values]]…</c>: runs one experiment once per point of its sweep (the file's
/// <c>sweep:</c> section and the <c>--grid</c>s), each an ordinary run folder, on this machine (<c>--executor local</c>) or
/// as a Slurm job array (<c>--executor slurm</c>), and compares them in one report. <c>sweep status DIR</c> says where
/// each run stands; <c>sweep resume DIR</c> starts again the runs that did not complete.</summary>
public static class SweepCommand
{
    /// <summary>The <c>genlab sweep</c> command line, apart from the experiment.</summary>
    /// <param name="DataDirectories">The <c>--data-dir</c>s as typed: each run is given them.</param>
    public sealed record Options(IReadOnlyList<string> Grid, IReadOnlyList<string> Set, string ResultsRoot, bool Ci, DataSearch Data,
        IReadOnlyList<string> DataDirectories, SweepExecutor Executor, bool Wait, bool DryRun, bool KeepExpect = false);

    /// <summary>What every run of a sweep adds before the sweep's own <c>--set</c>s: the file's stated results hold for the
    /// file's settings, and a sweep runs others, so a miss is a finding to compare, not a failed run.</summary>
    public const string DropExpect = "expect=null";

    public static async Task<int> ExecuteAsync(string experiment, Options options)
    {
        if (File.Exists(options.ResultsRoot)) return CliErrors.Report($"--results {options.ResultsRoot} is a file; it names the folder that receives run folders");
        if (CheckExecutor(options.Executor, options.Wait) is { } problem) return CliErrors.Report(problem);
        IReadOnlyList<PlannedRun> planned;
        SweepSpec spec;
        IReadOnlyList<string> set = options.Set;
        try
        {
            var loaded = ExperimentLoader.Load(experiment, options.Set, ci: options.Ci, data: options.Data);
            var errors = new List<ConfigError>();
            var axes = options.Grid.Select((g, i) => SweepSpec.ReadArgument(g, i + 1, errors)).OfType<SweepAxis>().ToList();
            if (errors.Count > 0) throw new ConfigException(errors);
            spec = (loaded.Sweep ?? new SweepSpec([], [])).WithGrid(axes);
            if (spec.Keys.Count == 0)
                return CliErrors.Report($"{experiment} sweeps nothing: give --grid key=[values] or a sweep: section (see README, \"Sweeps\")");
            bool setsExpect = set.Concat(spec.Keys).Any(k => k.Split('=')[0].Trim().Split('.')[0] == "expect");
            if (!options.KeepExpect && !setsExpect && loaded.Config.Expect is { Count: > 0 }) set = [DropExpect, .. set];
            planned = SweepPlanner.Plan(experiment, set, spec, options.Ci, options.Data);
        }
        catch (ConfigException e) { return CliErrors.Report(e); }

        var name = planned[0].Loaded.Config.Name;
        var keys = spec.Keys;
        var runs = RunCatalog.Find(options.ResultsRoot).Where(r => !r.IsReference).ToList();
        var entries = new List<SweepEntry>();
        foreach (var (run, i) in planned.Select((p, i) => (p, i)))
        {
            var values = keys.Select(k => run.Point.Values.Where(v => v.Key == k).Select(v => v.Value.Text).FirstOrDefault()).ToList();
            var entry = new SweepEntry(i, values, run.Point.Overrides, run.Loaded.ConfigHash);
            // A completed run with the same config, data and code is this point's run already (reproduce's judgement).
            if (ReproduceCommand.Judge(run.Loaded, options.ResultsRoot, runs).Run is { } same)
                entry = entry with { Run = Path.GetFileName(same), Reused = true, Status = "completed" };
            entries.Add(entry);
        }
        var manifest = new SweepManifest
        {
            Name = name, SweepId = "", Experiment = experiment, WorkingDirectory = Directory.GetCurrentDirectory(), Results = options.ResultsRoot,
            Set = set, Ci = options.Ci, DataDirectories = options.DataDirectories, Keys = keys, CreatedUtc = DateTimeOffset.UtcNow,
            Executor = options.Executor, Runs = entries,
        };
        if (options.DryRun) return DryRun(manifest);
        if (options.Executor.Kind == SweepExecutorKind.Slurm && SlurmCommands.Find("sbatch") is null)
            return CliErrors.Report("sbatch is not on PATH: --executor slurm submits from a machine of a Slurm cluster (a login node)");

        var sweep = SweepFolder.Create(options.ResultsRoot, manifest);
        Console.WriteLine($"sweep {SweepStatus.Display(sweep.Path)}: {entries.Count} runs of {name} over {string.Join(", ", keys)}");
        foreach (var reused in entries.Where(e => e.Reused))
            Console.WriteLine($"[{reused.Index}] {manifest.Label(reused)}: reusing {SweepStatus.Display(sweep.RunDirectory(reused)!)} "
                + "(completed with the same config, data and code)");
        var work = sweep.Manifest.Runs.Where(e => !e.Reused).Select(e => new SweepWork(e, sweep.Manifest.RunArguments(e))).ToList();
        return await ExecuteWorkAsync(sweep, work, options.Executor, options.Wait);
    }

    /// <summary><c>genlab sweep status DIR</c>: each run's state (Slurm's, for submitted runs, and the run folder's), the
    /// runs' best metric with the best run marked; writes the report once no run is queued or running.</summary>
    public static int Status(string sweepDir)
    {
        SweepFolder sweep;
        try { sweep = SweepFolder.Open(sweepDir); }
        catch (InvalidDataException e) { return CliErrors.Report(e.Message); }
        var view = Slurm(sweep);
        var statuses = SweepStatus.Read(sweep, view);
        Print(sweep, statuses, view);
        Finish(sweep, statuses);
        return ExitCodes.Ok;
    }

    /// <summary><c>genlab sweep resume DIR</c>: starts again every run that is neither completed nor queued or running —
    /// <c>genlab resume RUN</c> for one with a checkpoint, its <c>genlab run</c> for one without — with the sweep's
    /// executor unless <paramref name="executor"/> names another.</summary>
    public static async Task<int> ResumeAsync(string sweepDir, SweepExecutor? executor, bool wait)
    {
        SweepFolder sweep;
        try { sweep = SweepFolder.Open(sweepDir); }
        catch (InvalidDataException e) { return CliErrors.Report(e.Message); }
        executor ??= sweep.Manifest.Executor;
        if (CheckExecutor(executor, wait) is { } problem) return CliErrors.Report(problem);
        if (!Directory.Exists(sweep.Manifest.WorkingDirectory))
            return CliErrors.Report($"the sweep's runs start in {sweep.Manifest.WorkingDirectory}, which is not here; resume it where it was started");
        if (executor.Kind == SweepExecutorKind.Slurm && SlurmCommands.Find("sbatch") is null)
            return CliErrors.Report("sbatch is not on PATH: --executor slurm submits from a machine of a Slurm cluster (a login node)");

        var statuses = SweepStatus.Read(sweep, Slurm(sweep));
        var todo = statuses.Where(s => !s.Active && s.State != RunState.Completed).ToList();
        foreach (var active in statuses.Where(s => s.Active))
            Console.WriteLine($"[{active.Entry.Index}] {sweep.Manifest.Label(active.Entry)}: {active.StateName}, left alone");
        if (todo.Count == 0)
        {
            Console.WriteLine($"sweep {SweepStatus.Display(sweep.Path)}: nothing to resume ({Counts(statuses)})");
            Finish(sweep, statuses);
            return ExitCodes.Ok;
        }
        var work = new List<SweepWork>();
        foreach (var s in todo)
        {
            var entry = sweep.Manifest.Runs[s.Entry.Index];
            bool resumable = s.RunDir is not null && new CheckpointStore(Path.Combine(s.RunDir, RunFiles.Checkpoints)).NewestValid() is not null;
            if (!resumable && entry.Run is not null)
            {
                entry = entry with { Run = null };     // its folder stays as the record of what happened; the new run gets its own
                sweep.Update(entry);
            }
            var arguments = resumable
                ? ["resume", Relative(s.RunDir!, sweep.Manifest.WorkingDirectory), .. sweep.Manifest.DataDirectories.SelectMany(d => new[] { "--data-dir", d })]
                : sweep.Manifest.RunArguments(entry);
            Console.WriteLine($"[{entry.Index}] {sweep.Manifest.Label(entry)}: {s.StateName}{(s.Detail is { } d ? $" ({d})" : "")}; "
                + (resumable ? "resuming its run" : "running it again"));
            work.Add(new SweepWork(entry, arguments));
        }
        if (executor != sweep.Manifest.Executor) sweep.Save(sweep.Manifest with { Executor = executor });
        return await ExecuteWorkAsync(sweep, work, executor, wait);
    }

    private static async Task<int> ExecuteWorkAsync(SweepFolder sweep, IReadOnlyList<SweepWork> work, SweepExecutor executor, bool wait)
    {
        int exit = ExitCodes.Ok;
        if (work.Count > 0 && executor.Kind == SweepExecutorKind.Local)
            exit = await LocalExecutor.RunAsync(sweep, work, executor.Parallel ?? 1);
        else if (work.Count > 0)
        {
            SlurmSubmission submission;
            try { submission = SlurmExecutor.Submit(sweep, work, executor); }
            catch (SweepException e) { return Fail(e.Message); }
            Console.WriteLine($"slurm: job {submission.JobId}, array tasks {SlurmExecutor.ArraySpec(submission.Indices, executor.Parallel)} "
                + $"({SweepStatus.Display(Path.Combine(sweep.Path, submission.Script))})");
            if (!wait)
            {
                Console.WriteLine($"follow it with: genlab sweep status {Shell.Quote(SweepStatus.Display(sweep.Path))}");
                return ExitCodes.Ok;
            }
            if (await WaitAsync(sweep) is not { } waited) return ExitCodes.Interrupted;
            exit = waited.All(s => s.State == RunState.Completed) ? ExitCodes.Ok : ExitCodes.Failed;
        }
        var view = Slurm(sweep);
        var statuses = SweepStatus.Read(sweep, view);
        Print(sweep, statuses, view);
        Finish(sweep, statuses);
        return exit == ExitCodes.Ok && statuses.Any(s => s.State != RunState.Completed) ? ExitCodes.Failed : exit;
    }

    /// <summary>Asks Slurm every few seconds until no task of the sweep is queued or running; null when Ctrl-C stopped the
    /// waiting (the tasks go on).</summary>
    private static async Task<IReadOnlyList<EntryStatus>?> WaitAsync(SweepFolder sweep)
    {
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string last = "";
        try
        {
            while (true)
            {
                var statuses = SweepStatus.Read(sweep, Slurm(sweep));
                string counts = Counts(statuses);
                if (counts != last) Console.WriteLine($"{DateTime.Now:HH:mm:ss} {counts}");
                last = counts;
                if (!statuses.Any(s => s.Active)) return statuses;
                // Often at first (tiny runs end in seconds), then as a cluster's users are asked to poll: rarely.
                await Task.Delay(clock.Elapsed < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(15), stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"stopped waiting; the tasks go on in Slurm: genlab sweep status {Shell.Quote(SweepStatus.Display(sweep.Path))}");
            return null;
        }
    }

    /// <summary>The report, once no run is queued or running.</summary>
    private static void Finish(SweepFolder sweep, IReadOnlyList<EntryStatus> statuses)
    {
        if (statuses.Any(s => s.Active))
        {
            Console.WriteLine("report: written once no run is queued or running (genlab sweep status writes it)");
            return;
        }
        if (SweepReport.Write(sweep, statuses) is { } report) Console.WriteLine($"report: {SweepStatus.Display(report)}");
        else Console.WriteLine("report: none (fewer than two runs have a run folder)");
    }

    private static SlurmView? Slurm(SweepFolder sweep) =>
        sweep.Manifest.Submissions.Count == 0 ? null : SlurmCommands.States([.. sweep.Manifest.Submissions.Select(s => s.JobId).Distinct()]);

    /// <summary>The runs as a table: index, swept values, state, steps, best metric (★ the best run), Slurm task, run
    /// folder; then what explains each state that needs it, and the counts.</summary>
    private static void Print(SweepFolder sweep, IReadOnlyList<EntryStatus> statuses, SlurmView? view)
    {
        var manifest = sweep.Manifest;
        int? best = Reports.Compare.SweepColumns.Best([.. statuses.Select(s => s.Info ?? Placeholder(manifest.Name))]);
        bool slurm = statuses.Any(s => s.Entry.SlurmTask is not null);
        string[] header = ["#", .. manifest.Keys, "status", "steps", "best", .. slurm ? new[] { "slurm" } : [], "run"];
        var rows = statuses.Select((s, i) => (string[])
        [
            $"{s.Entry.Index}", .. s.Entry.Values.Select(v => v ?? "(file)"), s.StateName + (s.Entry.Reused ? " (reused)" : ""),
            s.Info is { TotalSteps: > 0 } info ? $"{info.Step}/{info.TotalSteps}" : "-",
            s.Info?.Best is { } b ? $"{b.Split} {b.Metric} {b.Value.ToString("F4", CultureInfo.InvariantCulture)}" + (best == i ? " ★" : "") : "-",
            .. slurm ? new[] { s.Entry.SlurmTask is { } t ? $"{t} {s.Slurm?.State ?? (view is { Reachable: false } ? "(unknown)" : "(not in queue)")}" : "-" } : [],
            s.RunDir is { } dir ? SweepStatus.Display(dir) : "-",
        ]).ToList();
        int[] widths = [.. header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length)))];
        Console.WriteLine($"sweep {SweepStatus.Display(sweep.Path)}: {manifest.Runs.Count} runs of {manifest.Name} over {string.Join(", ", manifest.Keys)}"
            + (manifest.Submissions.Count > 0 ? $"; Slurm job(s) {string.Join(", ", manifest.Submissions.Select(s => s.JobId))}" : ""));
        if (view?.Note is { } note) Console.WriteLine($"  ({note})");
        foreach (var row in rows.Prepend(header))
            Console.WriteLine("  " + string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        foreach (var s in statuses.Where(s => s.Detail is not null && s.State != RunState.Completed))
            Console.WriteLine($"  [{s.Entry.Index}] {s.StateName}: {s.Detail}");
        Console.WriteLine($"{Counts(statuses)}" + (statuses.Any(s => !s.Active && s.State != RunState.Completed)
            ? $"; `genlab sweep resume {Shell.Quote(SweepStatus.Display(sweep.Path))}` starts those not completed again" : ""));
    }

    private static RunInfo Placeholder(string name) => new() { Name = name, Kind = "", RunId = "", Environment = new EnvironmentInfo() };

    /// <summary>"3 runs: 2 completed, 1 running".</summary>
    private static string Counts(IReadOnlyList<EntryStatus> statuses) =>
        $"{statuses.Count} runs: " + string.Join(", ", statuses.GroupBy(s => s.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.First().StateName}"));

    private static int DryRun(SweepManifest manifest)
    {
        Console.WriteLine($"{manifest.Runs.Count} runs of {manifest.Name} over {string.Join(", ", manifest.Keys)} (dry run: nothing is written or started)");
        foreach (var entry in manifest.Runs)
            Console.WriteLine(entry.Reused
                ? $"[{entry.Index}] reuse {entry.Run} (completed with the same config, data and code)"
                : $"[{entry.Index}] genlab {Shell.Quote(manifest.RunArguments(entry))}");
        return ExitCodes.Ok;
    }

    private static string? CheckExecutor(SweepExecutor executor, bool wait)
    {
        if (executor.Parallel is < 1) return $"--parallel {executor.Parallel}: at least one run at a time";
        if (executor.CpusPerTask is < 1) return $"--cpus-per-task {executor.CpusPerTask}: at least one CPU";
        if (executor.Kind == SweepExecutorKind.Local)
        {
            string[] slurmOnly = [.. new[] { ("--partition", executor.Partition), ("--time", executor.Time), ("--gres", executor.Gres),
                ("--cpus-per-task", executor.CpusPerTask?.ToString(CultureInfo.InvariantCulture)) }.Where(o => o.Item2 is not null).Select(o => o.Item1)];
            if (slurmOnly.Length > 0) return $"{string.Join(", ", slurmOnly)} only apply to --executor slurm";
            if (wait) return "--wait only applies to --executor slurm (a local sweep always waits for its runs)";
        }
        return null;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {CliErrors.OneLine(message)}");
        return ExitCodes.Failed;
    }

    /// <summary>Relative to the folder the runs start in when inside it, else the full path.</summary>
    private static string Relative(string path, string workingDirectory)
    {
        string relative = Path.GetRelativePath(workingDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
