using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
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
        IReadOnlyDictionary<string, string>? environment = null) => StartTimed(program, directory, arguments, environment).Finish();

    /// <summary>Starts <paramref name="program"/> under <c>/usr/bin/time</c> and returns at once; the caller may pause
    /// and resume it (<see cref="TimedChild.Pause"/>) while it runs, then collects it with <see cref="TimedChild.Finish"/>.</summary>
    public static TimedChild StartTimed(string program, string directory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-f", "PEAK_RSS_KB %M", program }.Concat(arguments)) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new TimedChild(Process.Start(start)!);
    }

    /// <summary>A program running under <c>/usr/bin/time</c>: its streams are read as it runs.</summary>
    internal sealed class TimedChild
    {
        private readonly Process _time;
        private readonly Task<string> _output, _errors;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _paused;

        public TimedChild(Process time)
        {
            _time = time;
            _output = time.StandardOutput.ReadToEndAsync();
            _errors = time.StandardError.ReadToEndAsync();
        }

        public bool HasExited => _time.HasExited;

        /// <summary>Stops the program (SIGSTOP: every thread of it, so it takes no core), runs <paramref name="meanwhile"/>
        /// and lets it go on (SIGCONT). The time it was stopped is left out of its wall-clock seconds.</summary>
        /// <returns>False when the program had already ended (<paramref name="meanwhile"/> did not run).</returns>
        public bool Pause(Action meanwhile)
        {
            // /usr/bin/time waits for its one child: the program, whose pid is the only one in its children list.
            string children = $"/proc/{_time.Id}/task/{_time.Id}/children";
            if (_time.HasExited || !File.Exists(children) || !int.TryParse(File.ReadAllText(children).Trim(), out int pid)) return false;
            if (Kill(pid, SignalStop) != 0) return false;
            var clock = Stopwatch.StartNew();
            try { meanwhile(); }
            finally
            {
                Kill(pid, SignalContinue);
                _paused += clock.Elapsed;
            }
            return true;
        }

        public ChildRun Finish()
        {
            _time.WaitForExit();
            double wall = (_clock.Elapsed - _paused).TotalSeconds;
            // /usr/bin/time appends its line to the child's stderr.
            var stderr = _errors.Result.Split('\n').ToList();
            int at = stderr.FindLastIndex(l => RssLine().IsMatch(l));
            double peakKb = at >= 0 ? double.Parse(RssLine().Match(stderr[at]).Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
            if (at >= 0) stderr.RemoveAt(at);
            // KiB -> MB (10^6 bytes), the unit of the runner's rss_mb metric and of the in-process measurements.
            var run = new ChildRun(_time.ExitCode, _output.Result, string.Join('\n', stderr), wall, peakKb * 1024 / 1e6);
            _time.Dispose();
            return run;
        }

        private const int SignalStop = 19, SignalContinue = 18;   // Linux x86-64 and arm64

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
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
