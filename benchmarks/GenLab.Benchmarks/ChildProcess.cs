using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GenLab.Benchmarks;

/// <summary>What a measured child process did: its exit code, stdout, stderr, wall-clock seconds and peak resident
/// memory in MB (10^6 bytes).</summary>
internal sealed record ChildRun(int Exit, string Output, string Errors, double WallSeconds, double PeakMb)
{
    /// <summary>The end of both streams, for an error message.</summary>
    public string Tail(int characters = 3000)
    {
        string both = $"{Output}\n{Errors}".Trim();
        return both[^Math.Min(characters, both.Length)..];
    }
}

/// <summary>Runs the peers (PyTorch scripts, nanoGPT, GenLab's own CLI) the benchmarks compare against.</summary>
internal static partial class ChildProcess
{
    /// <summary>Runs <paramref name="program"/> under <c>/usr/bin/time</c>, so the peak RSS is the kernel's count for
    /// that process, whatever the language of the peer.</summary>
    public static ChildRun Timed(string program, string directory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-f", "PEAK_RSS_KB %M", program }.Concat(arguments)) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        // /usr/bin/time appends its line to the child's stderr.
        var stderr = errors.Result.Split('\n').ToList();
        int at = stderr.FindLastIndex(l => RssLine().IsMatch(l));
        double peakKb = at >= 0 ? double.Parse(RssLine().Match(stderr[at]).Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        if (at >= 0) stderr.RemoveAt(at);
        // KiB -> MB (10^6 bytes), the unit of the runner's rss_mb metric and of the in-process measurements.
        return new ChildRun(process.ExitCode, output, string.Join('\n', stderr), clock.Elapsed.TotalSeconds, peakKb * 1024 / 1e6);
    }

    /// <summary>The version of Debian's PyTorch (<c>/usr/bin/python3</c>), or null when it is not installed.</summary>
    public static string? PythonTorchVersion()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"])
                { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string version = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? version : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    [GeneratedRegex(@"^PEAK_RSS_KB (\d+)$")]
    private static partial Regex RssLine();
}
