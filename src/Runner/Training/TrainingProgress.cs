using System.Globalization;
using System.Text;
using GenLab.Runner.Hosting;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Training;

/// <summary>Where training stands, as tqdm shows it: on a terminal one redrawn line
/// <c>mlp-char  42%|██████████▌              | 1680/4000 [00:12&lt;00:17, 138.2 steps/s, loss 1.9290]</c>; in a file or
/// CI one log line per 10% of the steps, <c>step 400/4000 (10%)  loss 2.2352  52.4 steps/s  elapsed 00:00:10  ETA 00:01:08</c>.
/// The rate counts training steps only — evaluation, sampling and checkpoints are left out — and is smoothed over
/// recent windows (tqdm's smoothing = 0.3), so it neither jumps after an evaluation nor races after a fast patch. The
/// ETA adds to the remaining steps at that rate the time evaluations and checkpoints have taken per step so far.</summary>
public sealed class TrainingProgress
{
    /// <summary>Redraw at most this often; a tiny model takes thousands of steps per second.</summary>
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);
    /// <summary>The rate takes in a window of at least this much training time, so one slow step does not swing it.</summary>
    private const double WindowSeconds = 0.25;

    private readonly ILogger _logger;
    private readonly string _name;
    private readonly long _total;
    private readonly bool _interactive;
    private readonly Func<double> _elapsed;
    private readonly SmoothedRate _rate = new();
    private readonly long _startStep;
    private readonly double _startSeconds;
    private double _trainSeconds;
    private long _windowSteps;
    private double _windowSeconds;
    private long _nextLine;
    private DateTime _lastDraw = DateTime.MinValue;

    /// <param name="elapsed">Wall-clock seconds of the run so far, evaluations included (and the time before a resume).</param>
    public TrainingProgress(ILogger logger, string name, long totalSteps, long startStep, bool interactive, Func<double> elapsed)
    {
        _logger = logger;
        _name = name;
        _total = Math.Max(1, totalSteps);
        _interactive = interactive;
        _elapsed = elapsed;
        _nextLine = NextTenth(startStep);
        _startStep = startStep;
        _startSeconds = elapsed();
    }

    /// <summary>Training steps per second, smoothed; 0 until the first window of training has been timed.</summary>
    public double StepsPerSecond => _rate.Value;

    /// <summary>Records a finished training step that took <paramref name="trainSeconds"/> of training (not evaluation).</summary>
    public void Step(long step, double loss, double trainSeconds)
    {
        _windowSteps++;
        _windowSeconds += trainSeconds;
        _trainSeconds += trainSeconds;
        bool last = step >= _total;
        if (_windowSeconds >= WindowSeconds || last)
        {
            _rate.Add(_windowSteps, _windowSeconds);
            _windowSteps = 0;
            _windowSeconds = 0;
        }
        if (_interactive)
        {
            var now = DateTime.UtcNow;
            if (now - _lastDraw < RedrawEvery && !last) return;
            _lastDraw = now;
            double elapsed = _elapsed();
            ConsoleOutput.SetStatus(Bar(_name, step, _total, elapsed, _rate.Value, loss, Eta(step, elapsed), Width()));
            if (last) ConsoleOutput.EndStatus(keep: true);
        }
        else if (step >= _nextLine || last)
        {
            _nextLine = NextTenth(step);
            double elapsed = _elapsed();
            _logger.LogInformation("{Line}", Line(step, _total, elapsed, _rate.Value, loss, Eta(step, elapsed)));
        }
    }

    /// <summary>Takes the bar off the screen, e.g. before the run stops early.</summary>
    public void Clear() => ConsoleOutput.EndStatus(keep: false);

    /// <summary>Seconds left: the remaining steps at the smoothed training rate, plus the evaluation and checkpoint
    /// time this run has spent per step so far; null before the rate is known.</summary>
    private double? Eta(long step, double elapsed)
    {
        if (_rate.Value <= 0) return null;
        long done = step - _startStep;
        double overheadPerStep = done > 0 ? Math.Max(0, elapsed - _startSeconds - _trainSeconds) / done : 0;
        return (_total - step) * (1 / _rate.Value + overheadPerStep);
    }

    /// <summary>The first step past <paramref name="step"/> at a whole tenth of the run (rounded up).</summary>
    private long NextTenth(long step)
    {
        long tenth = step * 10 / _total + 1;
        return (tenth * _total + 9) / 10;
    }

    /// <summary>The plain progress line (CI, files): step, share, loss, rate, elapsed and ETA.</summary>
    public static string Line(long step, long total, double elapsedSeconds, double stepsPerSecond, double loss, double? etaSeconds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"step {step}/{total} ({100 * step / total}%)  loss {loss:F4}  {stepsPerSecond:F1} steps/s  elapsed {Clock(elapsedSeconds)}  ETA {Remaining(etaSeconds)}");

    /// <summary>The redrawn terminal line, cut to <paramref name="width"/> characters so it never wraps.</summary>
    public static string Bar(string name, long step, long total, double elapsedSeconds, double stepsPerSecond, double loss, double? etaSeconds,
        int width)
    {
        const int barWidth = 25;
        double share = Math.Clamp((double)step / total, 0, 1);
        int eighths = (int)(share * barWidth * 8);
        var bar = new StringBuilder(barWidth);
        bar.Append('█', eighths / 8);
        if (eighths % 8 > 0) bar.Append("▏▎▍▌▋▊▉"[eighths % 8 - 1]);
        bar.Append(' ', barWidth - bar.Length);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{name} {100 * share,3:F0}%|{bar}| {step}/{total} [{Clock(elapsedSeconds)}<{Remaining(etaSeconds)}, {stepsPerSecond:F1} steps/s, loss {loss:F4}]");
        return line.Length < width ? line : line[..Math.Max(1, width - 1)];
    }

    private static string Remaining(double? seconds) => seconds is { } s ? Clock(s) : "--:--:--";

    private static string Clock(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(Math.Max(0, seconds)));
        return $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}";
    }

    private static int Width()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
        catch (IOException) { return 120; }
    }
}

/// <summary>An exponential moving average of a rate, as tqdm keeps it: the steps and the seconds of each window are
/// averaged separately (weight <see cref="Smoothing"/> on the newest), then divided — a window of many quick steps
/// counts for as much time as it took, not as one sample.</summary>
public sealed class SmoothedRate
{
    public const double Smoothing = 0.3;
    private double _steps, _seconds;
    private bool _started;

    public double Value => _seconds > 0 ? _steps / _seconds : 0;

    public void Add(double steps, double seconds)
    {
        if (seconds <= 0) return;
        if (!_started) { _steps = steps; _seconds = seconds; _started = true; return; }
        _steps = Smoothing * steps + (1 - Smoothing) * _steps;
        _seconds = Smoothing * seconds + (1 - Smoothing) * _seconds;
    }
}
