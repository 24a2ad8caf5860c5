using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Data;

/// <summary>Bytes received of a download: a redrawn line on an interactive terminal, else a log line at about every
/// 10% (every 10 MiB when the server sends no length), as <see cref="Training.TrainingProgress"/> does for steps.</summary>
internal sealed class DownloadProgress(ILogger logger, string name, long? total, bool interactive)
{
    private const long LineEveryUnknown = 10 << 20;
    private long _lastMark;

    public void Report(long received)
    {
        // Redrawing at every 64 KiB read would flood a slow terminal: once per percent (or MiB) is enough.
        long mark = interactive
            ? (total is > 0 ? 100 * received / total.Value : received >> 20)
            : (total is > 0 ? 10 * received / total.Value : received / LineEveryUnknown);
        if (mark <= _lastMark) return;
        _lastMark = mark;
        if (interactive) Hosting.ConsoleOutput.SetStatus(Describe(received));
        else logger.LogInformation("{Progress}", Describe(received));
    }

    /// <summary>Ends the redrawn line, or logs the total when no 10% line showed it.</summary>
    public void Finish(long received)
    {
        if (interactive) Hosting.ConsoleOutput.EndStatus(keep: true);
        else if (total is not > 0) logger.LogInformation("{Progress}", Describe(received));
    }

    private string Describe(long received) => total is > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{name}: {received:N0} / {total:N0} bytes ({100 * received / total.Value}%)")
        : string.Create(CultureInfo.InvariantCulture, $"{name}: {received:N0} bytes");
}
