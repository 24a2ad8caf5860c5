using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Training;

/// <summary>Step/total, loss, steps/s and ETA: a redrawn bar on an interactive terminal, plain log lines at about every
/// 10% of the run (and at evaluations, by the trainer) when output goes to a file or CI.</summary>
public sealed class TrainingProgress(ILogger logger, long totalSteps, bool interactive)
{
    private readonly long _lineEvery = Math.Max(1, totalSteps / 10);
    private int _lastWidth;

    public static bool IsInteractive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    public void Report(long step, double loss, double stepsPerSecond)
    {
        TimeSpan eta = stepsPerSecond > 0 ? TimeSpan.FromSeconds((totalSteps - step) / stepsPerSecond) : TimeSpan.Zero;
        if (interactive)
        {
            const int width = 30;
            int filled = (int)(width * step / Math.Max(1, totalSteps));
            string line = $"\r[{new string('#', filled)}{new string('.', width - filled)}] {step}/{totalSteps} "
                          + $"loss {loss:F4}  {stepsPerSecond:F1} steps/s  ETA {eta:hh\\:mm\\:ss}";
            Console.Error.Write(line.PadRight(_lastWidth));
            _lastWidth = line.Length;
            if (step == totalSteps) Console.Error.WriteLine();
        }
        else if (step % _lineEvery == 0 || step == totalSteps)
        {
            logger.LogInformation("step {Step}/{Total}  loss {Loss:F4}  {Rate:F1} steps/s  ETA {Eta:hh\\:mm\\:ss}",
                step, totalSteps, loss, stepsPerSecond, eta);
        }
    }

    /// <summary>Ends the bar's line so that a log line that follows starts on its own line.</summary>
    public void Break()
    {
        if (interactive && _lastWidth > 0) { Console.Error.WriteLine(); _lastWidth = 0; }
    }
}
