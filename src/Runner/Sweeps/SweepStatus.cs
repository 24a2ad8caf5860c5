using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Sweeps;

public enum RunState { NotStarted, Queued, Running, Completed, Interrupted, Failed }

/// <summary>One run of a sweep as it stands: its state, its run folder and run.json once it has one, its Slurm task's
/// state, and what explains a state that is not plain (why a task waits, why a run failed).</summary>
public sealed record EntryStatus(SweepEntry Entry, RunState State, string? RunDir, RunInfo? Info, SlurmTaskState? Slurm, string? Detail)
{
    /// <summary>Queued or running: the sweep is not finished while one is.</summary>
    public bool Active => State is RunState.Queued or RunState.Running;

    public string StateName => State switch
    {
        RunState.NotStarted => "not started",
        _ => State.ToString().ToLowerInvariant(),
    };
}

/// <summary>Where each run of a sweep stands, from its run folder (run.json is the truth about a run that has one) and,
/// for a run submitted to Slurm, its array task's state (the truth about a task that has not made its folder yet, or
/// that ended without saying so in run.json: a time limit, a node that failed).</summary>
public static class SweepStatus
{
    /// <summary>How far a run's start may precede its submission's clock: the nodes' clocks are not the login node's.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(2);

    /// <summary>Reads every entry's state; run folders found for entries that had none are recorded in sweep.json, with
    /// each entry's state.</summary>
    public static IReadOnlyList<EntryStatus> Read(SweepFolder sweep, SlurmView? slurm)
    {
        var manifest = sweep.Manifest;
        var claimed = manifest.Runs.Where(r => r.Run is not null).Select(r => r.Run!).ToHashSet(StringComparer.Ordinal);
        var statuses = new List<EntryStatus>();
        foreach (var entry in manifest.Runs)
        {
            var current = entry;
            if (current.Run is null && current.StartedUtc is { } started && Discover(sweep, current, started, claimed) is { } found)
            {
                claimed.Add(found);
                current = current with { Run = found };
            }
            var status = Judge(sweep, current, slurm);
            statuses.Add(status);
            current = current with { Status = status.StateName };
            if (current != entry) manifest = manifest.With(current);
        }
        if (manifest != sweep.Manifest) sweep.Save(manifest);
        return statuses;
    }

    private static EntryStatus Judge(SweepFolder sweep, SweepEntry entry, SlurmView? slurm)
    {
        string? runDir = sweep.RunDirectory(entry);
        RunInfo? info = null;
        if (runDir is not null)
        {
            try { info = RunInfo.Read(runDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
            {
                return new EntryStatus(entry, RunState.Failed, runDir, null, null, $"its run folder cannot be read: {e.Message}");
            }
        }
        SlurmTaskState? task = entry.SlurmTask is { } id && slurm?.Tasks.TryGetValue(id, out var t) == true ? t : null;
        string where = entry.SlurmTask is { } taskId ? $"Slurm task {taskId}" : "its process";
        string log = LogOf(sweep, entry);

        // A task queued or running (again, after a resubmission) decides over what an earlier attempt left in run.json.
        if (task is { Queued: true } && info?.Status != RunStatus.Completed)
            return new EntryStatus(entry, RunState.Queued, runDir, info, task, task.Reason.Length > 0 ? $"waiting: {task.Reason}" : null);
        if (task is { Running: true } && info?.Status != RunStatus.Completed)
            return new EntryStatus(entry, RunState.Running, runDir, info, task, info?.Status == RunStatus.Running ? null : "starting");
        if (info is null)
        {
            if (task is not null)
                return new EntryStatus(entry, RunState.Failed, runDir, info, task, $"{where} ended {task.State} before its run began; see {Display(log)}");
            if (entry.StartedUtc is null) return new EntryStatus(entry, RunState.NotStarted, runDir, info, task, null);
            if (entry.SlurmTask is not null && slurm is { Reachable: false })
                return new EntryStatus(entry, RunState.Queued, runDir, info, task, "submitted; Slurm cannot be asked from here");
            return File.Exists(log)
                ? new EntryStatus(entry, RunState.Failed, runDir, info, task, $"ended before its run began; see {Display(log)}")
                : new EntryStatus(entry, RunState.NotStarted, runDir, info, task,
                    entry.SlurmTask is null ? null : $"{where} is not in Slurm's queue: cancelled before it started, or long forgotten");
        }
        switch (info.Status)
        {
            case RunStatus.Completed: return new EntryStatus(entry, RunState.Completed, runDir, info, task, null);
            case RunStatus.Interrupted: return new EntryStatus(entry, RunState.Interrupted, runDir, info, task, $"stopped at step {info.Step}");
            case RunStatus.Failed: return new EntryStatus(entry, RunState.Failed, runDir, info, task, info.Error);
        }
        // run.json says running: is anything still running it?
        bool alive = entry.SlurmTask is not null ? slurm is { Reachable: false } : RunCatalog.StatusOf(info) != "crashed";
        return alive
            ? new EntryStatus(entry, RunState.Running, runDir, info, task, null)
            : new EntryStatus(entry, RunState.Failed, runDir, info, task,
                $"{where} ended{(task is null ? "" : $" {task.State}")} while run.json says running (killed or out of time); see {Display(log)}");
    }

    /// <summary>The run folder a started entry made: in the experiment's folder, named after its config hash, started
    /// after the entry was handed to its executor, not another entry's; the newest such.</summary>
    private static string? Discover(SweepFolder sweep, SweepEntry entry, DateTimeOffset started, HashSet<string> claimed)
    {
        if (!Directory.Exists(sweep.ExperimentDirectory)) return null;
        var name = new Regex($"^\\d{{8}}T\\d{{6}}Z-{Regex.Escape(entry.ConfigHash)}(-\\d+)?$");
        return Directory.EnumerateDirectories(sweep.ExperimentDirectory)
            .Select(Path.GetFileName).OfType<string>()
            .Where(d => name.IsMatch(d) && !claimed.Contains(d))
            .Select(d => (Id: d, Info: TryRead(Path.Combine(sweep.ExperimentDirectory, d))))
            .Where(r => r.Info is not null && r.Info.StartedUtc >= started - ClockSlack)
            .OrderByDescending(r => r.Info!.StartedUtc)
            .Select(r => r.Id).FirstOrDefault();
    }

    private static RunInfo? TryRead(string runDir)
    {
        try { return RunInfo.Read(runDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException) { return null; }
    }

    /// <summary>The console output of the entry's last attempt: <c>logs/&lt;job&gt;_&lt;index&gt;.out</c> for a Slurm task
    /// (sbatch's <c>%A_%a</c>), <c>logs/&lt;index&gt;.log</c> for a local run.</summary>
    public static string LogOf(SweepFolder sweep, SweepEntry entry) =>
        Path.Combine(sweep.Logs, entry.SlurmTask is { } task ? $"{task}.out" : $"{entry.Index}.log");

    internal static string Display(string path) => Commands.CompareCommand.Display(path);
}
