using System.Text;
using GenLab.Runner.Commands;

namespace GenLab.Runner.Sweeps;

/// <summary>Submits a sweep's commands as one Slurm job array (<c>sbatch --array</c>): array task i runs the genlab
/// command of run i, the command a user would type, written into a batch script in the sweep folder
/// (<c>slurm/submit-N.sh</c>) that can be read, and submitted again by hand. Slurm queues, places and runs the tasks;
/// their run folders land in the results folder, which the nodes must share with this machine.</summary>
public static class SlurmExecutor
{
    /// <summary>Slurm sends SIGTERM this long before a task's time limit, to the batch shell that became genlab: it
    /// finishes its step and checkpoints, and <c>genlab sweep resume</c> continues the run.</summary>
    public const int SignalBeforeLimitSeconds = 120;

    /// <summary>Writes the batch script and submits it; records the job, and each entry's task, in sweep.json.</summary>
    /// <exception cref="SweepException">sbatch is missing or refused the script; a path Slurm cannot take.</exception>
    public static SlurmSubmission Submit(SweepFolder sweep, IReadOnlyList<SweepWork> work, SweepExecutor options)
    {
        Directory.CreateDirectory(sweep.Logs);
        Directory.CreateDirectory(Path.Combine(sweep.Slurm, "bin"));
        string wrapper = Path.Combine(sweep.Slurm, "bin", "genlab");
        File.WriteAllText(wrapper, Wrapper(VerifyCommand.GenlabCommand()));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        int number = sweep.Manifest.Submissions.Count + 1;
        string script = Path.Combine(sweep.Slurm, $"submit-{number}.sh");
        File.WriteAllText(script, Script(sweep, work, options, number));
        string job = SlurmCommands.Submit(script, sweep.Manifest.WorkingDirectory);

        var now = DateTimeOffset.UtcNow;
        var submission = new SlurmSubmission(job, [.. work.Select(w => w.Entry.Index)], Path.GetRelativePath(sweep.Path, script), now);
        var manifest = sweep.Manifest with { Submissions = [.. sweep.Manifest.Submissions, submission] };
        foreach (var w in work)
            manifest = manifest.With(manifest.Runs[w.Entry.Index] with { SlurmTask = $"{job}_{w.Entry.Index}", StartedUtc = now, Status = "queued" });
        sweep.Save(manifest);
        return submission;
    }

    /// <summary>The batch script: the sweep's options as <c>#SBATCH</c> lines, then one <c>case</c> branch per array task
    /// that execs its genlab command (exec: genlab itself receives Slurm's signals).</summary>
    public static string Script(SweepFolder sweep, IReadOnlyList<SweepWork> work, SweepExecutor options, int number)
    {
        var manifest = sweep.Manifest;
        var lines = new List<string>
        {
            "#!/bin/bash",
            $"# GenLab sweep {sweep.Id} of {manifest.Name}: {work.Count} of its {manifest.Runs.Count} runs as one Slurm job array (submission {number}).",
            "# Each array task runs its run's genlab command, as you would type it. Follow them with",
            $"#   genlab sweep status {Shell.Quote(sweep.Path)}",
            $"#SBATCH --job-name={Safe("job name", "genlab-" + manifest.Name)}",
            $"#SBATCH --array={ArraySpec(work.Select(w => w.Entry.Index), options.Parallel)}",
            $"#SBATCH --chdir={Safe("working directory", manifest.WorkingDirectory)}",
            $"#SBATCH --output={Safe("sweep folder", Path.Combine(sweep.Logs, "%A_%a.out"))}",
            $"#SBATCH --signal=B:TERM@{SignalBeforeLimitSeconds}",
        };
        if (options.Partition is { } partition) lines.Add($"#SBATCH --partition={Safe("--partition", partition)}");
        if (options.Time is { } time) lines.Add($"#SBATCH --time={Safe("--time", time)}");
        if (options.CpusPerTask is { } cpus) lines.Add($"#SBATCH --cpus-per-task={cpus}");
        if (options.Gres is { } gres) lines.Add($"#SBATCH --gres={Safe("--gres", gres)}");
        lines.AddRange(
        [
            "",
            "# genlab as the sweep ran it: the same build on every node of a shared file system",
            $"export PATH={Shell.Quote(Path.Combine(sweep.Slurm, "bin"))}:\"$PATH\"",
            "# libtorch's threads: the CPUs Slurm gives each task",
            $"export GENLAB_THREADS=\"${{SLURM_CPUS_PER_TASK:-1}}\"",
            "case \"$SLURM_ARRAY_TASK_ID\" in",
        ]);
        foreach (var w in work)
            lines.Add($"  {w.Entry.Index}) exec genlab {Shell.Quote(w.Arguments)} ;;");
        lines.Add("  *) echo \"genlab sweep: no run for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;");
        lines.Add("esac");
        return string.Join("\n", lines) + "\n";
    }

    /// <summary><c>0-3,7,9-10</c>, with <c>%N</c> when at most N tasks may run at once.</summary>
    public static string ArraySpec(IEnumerable<int> indices, int? parallel)
    {
        var sorted = indices.Distinct().Order().ToList();
        var spec = new StringBuilder();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            if (spec.Length > 0) spec.Append(',');
            spec.Append(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return parallel is { } n ? $"{spec}%{n}" : spec.ToString();
    }

    private static string Wrapper(IReadOnlyList<string> genlab) =>
        "#!/bin/sh\n# The genlab that submitted this sweep; the batch scripts beside it put this folder first on PATH.\n"
        + $"exec {Shell.Quote(genlab)} \"$@\"\n";

    /// <summary>An #SBATCH line ends at whitespace; a value with any is refused rather than cut.</summary>
    private static string Safe(string what, string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? value
            : throw new SweepException($"{what} '{value}': Slurm's #SBATCH lines cannot hold spaces or control characters");
}
