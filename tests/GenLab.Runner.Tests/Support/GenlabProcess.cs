using System.Diagnostics;

namespace GenLab.Runner.Tests.Support;

/// <summary>A real <c>genlab</c> process, as a user starts it: for what only a process shows (signals, exit codes,
/// native state set at start-up, LD_PRELOAD).</summary>
internal static class GenlabProcess
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);

    /// <summary>genlab.dll beside the tests (the project reference copies it), else the runner's own build output.</summary>
    public static string Dll()
    {
        string here = Path.Combine(AppContext.BaseDirectory, "genlab.dll");
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "genlab.runtimeconfig.json"))) return here;
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;      // bin/<Configuration>/net10.0
        return Path.Combine(Repository.Root, "src", "Runner", "bin", configuration, "net10.0", "genlab.dll");
    }

    /// <param name="environment">Variables to set; a null value removes the variable (GENLAB_THREADS, say, which
    /// the test process sets to 1).</param>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        info.ArgumentList.Add(Dll());
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["CI"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return Process.Start(info)!;
    }

    /// <summary>Runs genlab to its end; its exit code and everything it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        using var process = Start(args, environment, workingDirectory);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (await ExitCodeOf(process), output.ToString());
    }

    /// <summary>What a finished genlab process did: its exit code, standard output and error apart, wall time, and its
    /// peak resident memory (VmHWM, read from /proc every few milliseconds while it ran: a lower bound of the true peak;
    /// 0 where /proc is missing).</summary>
    public sealed record Measured(int Exit, string Stdout, string Stderr, TimeSpan Wall, long PeakBytes);

    /// <summary>Runs genlab with its managed heap capped at <paramref name="heapLimitBytes"/> (DOTNET_GCHeapHardLimit): a
    /// runaway allocation then ends in OutOfMemoryException, not in a machine out of memory.</summary>
    public static async Task<Measured> RunMeasuredAsync(IEnumerable<string> args, string? workingDirectory = null,
        long heapLimitBytes = 200L << 20)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start(args, new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = heapLimitBytes.ToString("x") },
            workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        string status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            try
            {
                foreach (string line in File.ReadLines(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024);
            }
            catch (IOException) { }             // it exited between the check and the read
            catch (UnauthorizedAccessException) { }
            await Task.Delay(5);
            if (clock.Elapsed > Timeout)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"genlab did not exit within {Timeout.TotalSeconds} s");
            }
        }
        process.WaitForExit();
        return new Measured(process.ExitCode, await stdout, await stderr, clock.Elapsed, peak);
    }

    public static async Task<int> ExitCodeOf(Process process)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"genlab did not exit within {Timeout.TotalSeconds} s");
        }
        process.WaitForExit();    // drains the redirected output
        return process.ExitCode;
    }

    /// <summary>Waits until the run in <paramref name="results"/> logged a few train rows after step 0 (so training,
    /// not start-up, is under way); returns its folder.</summary>
    public static async Task<string> WaitForTrainRows(Process process, string results, int rows = 3)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"genlab exited early with {(process.HasExited ? process.ExitCode : 0)}");
            string? runDir = RunFolder(results);
            string metrics = runDir is null ? "" : Path.Combine(runDir, Reports.RunFolder.RunFiles.Metrics);
            if (runDir is not null && File.Exists(metrics) && TrainRows(metrics) >= rows) return runDir;
            await Task.Delay(50);
        }
        process.Kill(entireProcessTree: true);
        Assert.Fail($"genlab logged no train rows within {Timeout.TotalSeconds} s");
        return "";
    }

    /// <summary>The one run folder under <paramref name="results"/> (not the <c>latest</c> link), or null.</summary>
    public static string? RunFolder(string results) =>
        Directory.Exists(results)
            ? Directory.EnumerateFiles(results, Reports.RunFolder.RunFiles.RunInfo, SearchOption.AllDirectories)
                .Select(Path.GetDirectoryName).FirstOrDefault(d => new DirectoryInfo(d!).LinkTarget is null)
            : null;

    private static int TrainRows(string metrics)
    {
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        int count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains(",train,loss,", StringComparison.Ordinal) && !line.StartsWith("0,", StringComparison.Ordinal)) count++;
        return count;
    }
}
