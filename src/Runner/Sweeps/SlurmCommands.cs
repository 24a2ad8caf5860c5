using System.Diagnostics;

namespace GenLab.Runner.Sweeps;

/// <summary>A Slurm array task's state as Slurm reports it (<c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETED</c>, <c>FAILED</c>,
/// <c>CANCELLED</c>, <c>TIMEOUT</c>, …) and, while it waits, why (<c>Resources</c>, <c>JobArrayTaskLimit</c>).</summary>
public sealed record SlurmTaskState(string State, string Reason)
{
    public bool Queued => State is "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "SUSPENDED" or "RESIZING";
    public bool Running => State is "RUNNING" or "COMPLETING" or "SIGNALING" or "STAGE_OUT";
    public bool Active => Queued || Running;
}

/// <summary>What Slurm says about a sweep's tasks, by <c>&lt;job&gt;_&lt;index&gt;</c>; <see cref="Note"/> says what it could
/// not tell (no Slurm on this machine, accounting disabled).</summary>
public sealed record SlurmView(IReadOnlyDictionary<string, SlurmTaskState> Tasks, bool Reachable, string? Note);

/// <summary>Slurm's own commands, run as a user runs them: <c>sbatch</c> submits, <c>squeue</c> and <c>sacct</c> tell
/// states. Nothing here schedules or queues: Slurm does.</summary>
public static class SlurmCommands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The command's full path on PATH, or null.</summary>
    public static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists);

    /// <summary>Submits a batch script; returns the job id.</summary>
    /// <exception cref="SweepException">sbatch is missing or refused the script (its message).</exception>
    public static string Submit(string script, string workingDirectory)
    {
        if (Find("sbatch") is null)
            throw new SweepException("sbatch is not on PATH: --executor slurm submits from a machine of the cluster (a login node)");
        var (exit, stdout, stderr) = Run("sbatch", ["--parsable", script], workingDirectory);
        string id = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Split(';')[0] ?? "";
        if (exit != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new SweepException($"sbatch refused {script} (exit code {exit}): {OneLine(stderr.Length > 0 ? stderr : stdout)}");
        return id;
    }

    /// <summary>The tasks of <paramref name="jobIds"/>: from <c>squeue --states=all</c> (queued, running, and finished
    /// ones the controller still remembers, MinJobAge), then <c>sacct</c> for those it has forgotten.</summary>
    public static SlurmView States(IReadOnlyCollection<string> jobIds)
    {
        var tasks = new Dictionary<string, SlurmTaskState>(StringComparer.Ordinal);
        if (jobIds.Count == 0) return new SlurmView(tasks, true, null);
        if (Find("squeue") is null) return new SlurmView(tasks, false, "Slurm's commands are not on this machine: states come from the run folders");
        string? unreachable = null;
        foreach (string job in jobIds)
        {
            // A job the controller no longer knows is "Invalid job id": sacct may still know it. Any other error (no
            // slurm.conf, no controller: a results folder copied off the cluster) means Slurm cannot be asked here.
            var (exit, stdout, stderr) = Run("squeue", [$"--jobs={job}", "--array", "--states=all", "--noheader", "--format=%i|%T|%r"]);
            if (exit == 0) Parse(stdout, tasks, overwrite: true);
            else if (!stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
                unreachable ??= stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {exit}";
        }
        if (unreachable is not null && tasks.Count == 0)
            return new SlurmView(tasks, false, $"Slurm cannot be asked from here ({unreachable}): states come from the run folders");
        string? note = null;
        if (Find("sacct") is null) note = "sacct is not on this machine: tasks Slurm's controller has forgotten are judged by their run folders";
        else
        {
            var (exit, stdout, stderr) = Run("sacct", [$"--jobs={string.Join(',', jobIds)}", "--allocations", "--noheader", "--parsable2",
                "--format=JobID,State,ExitCode"]);
            if (exit == 0) Parse(stdout, tasks, overwrite: false);
            else note = $"sacct: {OneLine(stderr)}; tasks Slurm's controller has forgotten are judged by their run folders";
        }
        return new SlurmView(tasks, true, note);
    }

    /// <summary><c>12_3|PENDING|Resources</c> (squeue) or <c>12_3|FAILED|1:0</c> (sacct: the exit code and signal)
    /// lines; a range of pending tasks (<c>12_[4-9]</c>) has no single task to name.</summary>
    private static void Parse(string text, Dictionary<string, SlurmTaskState> tasks, bool overwrite)
    {
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split('|');
            if (parts.Length < 2 || !parts[0].Contains('_') || parts[0].Contains('[')) continue;
            // sacct writes "CANCELLED by 0".
            string reason = parts.Length < 3 || parts[2] is "None" ? "" : overwrite ? parts[2] : $"exit code {parts[2].Split(':')[0]}";
            var state = new SlurmTaskState(parts[1].Split(' ')[0], reason);
            if (overwrite) tasks[parts[0]] = state;
            else tasks.TryAdd(parts[0], state);
        }
    }

    internal static (int Exit, string Stdout, string Stderr) Run(string command, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new SweepException($"could not start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new SweepException($"{command} did not answer within {Timeout.TotalSeconds:F0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string OneLine(string text) => Commands.CliErrors.OneLine(text);
}

/// <summary>A sweep that cannot go on for a reason outside its config: Slurm refused, a folder is missing.</summary>
public sealed class SweepException(string message) : Exception(message);
