using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GenLab.Benchmarks;

/// <summary>One step of a training loop as its process measured it: the loss, wall-clock and CPU milliseconds (all
/// threads of the process).</summary>
internal readonly record struct StepTiming(double Loss, double Ms, double CpuMs);

/// <summary>A peer's training loop kept alive in its own process (<c>unet_bench.py --serve</c>): each
/// <see cref="Steps"/> call asks it for more steps of the same run and reads back their timings, so a benchmark can
/// alternate rounds of the peer with rounds of its own and both see the same minutes of a drifting machine.</summary>
internal sealed class PyTorchStepper : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    public PyTorchStepper(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in arguments.Prepend(script).Append("--serve")) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { lock (_errors) _errors.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        var header = new List<string>();
        for (string line = ReadLine(); line != "ready"; line = ReadLine()) header.Add(line);
        Header = header;
    }

    /// <summary>What the script printed before it was ready (its version, threads and parameter count).</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Peak resident memory in MB (10^6 bytes), known once <see cref="Finish"/> has run.</summary>
    public double PeakMb { get; private set; } = double.NaN;

    public List<StepTiming> Steps(int count)
    {
        _process.StandardInput.WriteLine(count.ToString(CultureInfo.InvariantCulture));
        _process.StandardInput.Flush();
        var timings = new List<StepTiming>(count);
        for (int i = 0; i < count; i++)
        {
            // "step N loss L ms M cpu C"
            string[] f = ReadLine().Split(' ');
            if (f.Length != 8 || f[0] != "step") throw Failure($"unexpected line '{string.Join(' ', f)}'");
            timings.Add(new StepTiming(Parse(f[3]), Parse(f[5]), Parse(f[7])));
        }
        return timings;
    }

    /// <summary>Ends the script's input, reads its peak RSS and waits for it to exit.</summary>
    public void Finish()
    {
        _process.StandardInput.Close();
        string[] f = ReadLine().Split(' ');
        if (f is not ["rss", _]) throw Failure($"unexpected line '{string.Join(' ', f)}'");
        PeakMb = Parse(f[1]);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    private string ReadLine() => _process.StandardOutput.ReadLine() ?? throw Failure("it ended early");

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private InvalidOperationException Failure(string what)
    {
        if (!_process.HasExited) _process.WaitForExit(2000);
        string errors;
        lock (_errors) errors = _errors.ToString().Trim();
        return new InvalidOperationException($"{_process.StartInfo.ArgumentList[0]}: {what}\n{errors[^Math.Min(3000, errors.Length)..]}");
    }
}
