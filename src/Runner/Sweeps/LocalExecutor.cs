using System.Diagnostics;
using System.Runtime.InteropServices;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Sweeps;

/// <summary>One command of a sweep for an executor: <c>genlab run …</c> for a run not started yet, <c>genlab resume
/// RUN</c> for one that stopped.</summary>
public sealed record SweepWork(SweepEntry Entry, IReadOnlyList<string> Arguments);

/// <summary>Runs a sweep's commands on this machine, <paramref name="parallel"/> child genlab processes at once, the
/// cores split between them (<c>GENLAB_THREADS</c> = cores / parallel in each child, unless the environment sets it).
/// Ctrl-C or SIGTERM stops them all: each child gets SIGTERM, finishes its step, checkpoints and marks its run
/// interrupted (exit 130), so <c>genlab sweep resume</c> continues every run.</summary>
public static class LocalExecutor
{
    private const int SigTerm = 15;

    private sealed record Child(SweepWork Work, Process Process, StreamWriter Log, Task Exited);

    /// <returns>0 when every run completed; 1 when one did not; 130 when stopped by a signal.</returns>
    public static async Task<int> RunAsync(SweepFolder sweep, IReadOnlyList<SweepWork> work, int parallel)
    {
        int cores = Environment.ProcessorCount, atOnce = Math.Min(parallel, work.Count);
        int? share = CpuThreads.ShareFor(atOnce);
        string? threads = share?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"local: {atOnce} run(s) at once, {CpuThreads.DescribeShare(share)}{(share is null ? "" : $" ({cores} cores)")}");
        Directory.CreateDirectory(sweep.Logs);

        var pending = new Queue<SweepWork>(work);
        var running = new List<Child>();
        var gate = new object();
        bool stopping = false, failed = false;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;      // the sweep outlives its children: it records how each ended
            lock (gate)
            {
                if (!stopping)
                    Console.Error.WriteLine($"stopping: {running.Count} run(s) finish their step and checkpoint; "
                        + $"`genlab sweep resume {SweepStatus.Display(sweep.Path)}` continues them");
                stopping = true;
                // SIGTERM, not SIGINT: a terminal's Ctrl-C reached the children already, and a second SIGINT stops a run at once.
                if (!OperatingSystem.IsWindows()) foreach (var child in running) Kill(child.Process.Id, SigTerm);
            }
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        while (true)
        {
            lock (gate)
                while (!stopping && running.Count < parallel && pending.TryDequeue(out var next))
                    running.Add(Start(sweep, next, threads));
            Child[] now;
            lock (gate) now = [.. running];
            if (now.Length == 0) break;
            var exited = await Task.WhenAny(now.Select(c => c.Exited));
            var done = now.First(c => c.Exited == exited);
            lock (gate) running.Remove(done);
            failed |= !Finish(sweep, done);
        }
        if (stopping) return ExitCodes.Interrupted;
        return failed ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static Child Start(SweepFolder sweep, SweepWork work, string? threads)
    {
        var info = VerifyCommand.GenlabProcess(work.Arguments);
        info.WorkingDirectory = sweep.Manifest.WorkingDirectory;
        if (threads is not null) info.Environment[CpuThreads.Variable] = threads;
        var log = new StreamWriter(Path.Combine(sweep.Logs, $"{work.Entry.Index}.log"), append: true) { AutoFlush = true };
        log.WriteLine($"$ genlab {Quote(work.Arguments)}");
        var process = Process.Start(info) ?? throw new SweepException("could not start genlab");
        string prefix = $"[{work.Entry.Index}]";
        void Line(string? text, bool error)
        {
            if (text is null) return;
            lock (log) log.WriteLine(text);
            if (error) Console.Error.WriteLine($"{prefix} {text}");
            else if (VerifyCommand.IsNotable(text)) Console.WriteLine($"{prefix} {text}");
        }
        process.OutputDataReceived += (_, e) => Line(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Line(e.Data, error: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        sweep.Update(work.Entry with { StartedUtc = DateTimeOffset.UtcNow, SlurmTask = null, Status = "running" });
        Console.WriteLine($"{prefix} {sweep.Manifest.Label(work.Entry)}: genlab {Quote(work.Arguments)}");
        return new Child(work, process, log, process.WaitForExitAsync());
    }

    /// <summary>Records the run folder the child made and says how it ended.</summary>
    /// <returns>Whether the run completed.</returns>
    private static bool Finish(SweepFolder sweep, Child child)
    {
        child.Process.WaitForExit();        // drains the redirected output
        int exit = child.Process.ExitCode;
        var entry = sweep.Manifest.Runs[child.Work.Entry.Index];
        string? runDir = sweep.RunDirectory(entry) ?? VerifyCommand.RunOf(sweep.ResultsRoot, sweep.Manifest.Name, child.Process.Id);
        lock (child.Log) child.Log.WriteLine($"exit code {exit}");
        child.Log.Dispose();
        child.Process.Dispose();
        string prefix = $"[{entry.Index}]";
        if (runDir is null)
        {
            sweep.Update(entry with { Status = "failed" });
            Console.Error.WriteLine($"{prefix} failed before its run began (exit code {exit}); see {SweepStatus.Display(SweepStatus.LogOf(sweep, entry))}");
            return false;
        }
        var info = RunInfo.Read(runDir);
        string status = info.Status.ToString().ToLowerInvariant();
        sweep.Update(entry with { Run = Path.GetFileName(runDir), Status = status });
        string best = info.Best is { } b ? $": best {b.Split} {b.Metric} {b.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)} at step {b.Step}" : "";
        string took = info.EndedUtc is { } end ? $" in {(end - info.StartedUtc).TotalSeconds:F0} s" : "";
        Console.WriteLine(info.Status == RunStatus.Completed
            ? $"{prefix} completed{took}{best}; {SweepStatus.Display(runDir)}"
            : $"{prefix} {status} at step {info.Step} (exit code {exit}){(info.Error is { Length: > 0 } e ? $": {e}" : "")}; {SweepStatus.Display(runDir)}");
        return info.Status == RunStatus.Completed;
    }

    internal static string Quote(IEnumerable<string> args) => Shell.Quote(args);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
