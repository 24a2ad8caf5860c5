namespace GenLab.Runner.Hosting;

/// <summary>The terminal is one shared resource: log lines (stdout, or stderr for warnings and errors) and the redrawn
/// progress line (stderr) are written under one lock, so a log line never lands in the middle of the bar. While a
/// status line is shown, a log line first erases it, prints, and draws it again below.</summary>
public static class ConsoleOutput
{
    private static readonly Lock Gate = new();
    private static string? _status;

    /// <summary>Whether output looks like a person's terminal: stderr not redirected and no <c>CI</c> variable.
    /// Progress is then a redrawn line; otherwise one plain line per 10%.</summary>
    public static bool IsInteractive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>ANSI colours only on a terminal, and never with <c>NO_COLOR</c> set (https://no-color.org).</summary>
    public static bool UseColor(bool toError) =>
        Environment.GetEnvironmentVariable("NO_COLOR") is null && !(toError ? Console.IsErrorRedirected : Console.IsOutputRedirected)
        && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>Writes one finished line to stdout, or to stderr when <paramref name="toError"/>.</summary>
    public static void WriteLine(string line, bool toError = false)
    {
        lock (Gate)
        {
            EraseStatus();
            var writer = toError ? Console.Error : Console.Out;
            writer.WriteLine(line);
            writer.Flush();
            DrawStatus();
        }
    }

    /// <summary>Shows <paramref name="line"/> as the redrawn status line on stderr (a terminal only).</summary>
    public static void SetStatus(string line)
    {
        lock (Gate)
        {
            EraseStatus();
            _status = line;
            DrawStatus();
        }
    }

    /// <summary>Leaves the status line on screen as a finished line (<paramref name="keep"/>) or erases it.</summary>
    public static void EndStatus(bool keep)
    {
        lock (Gate)
        {
            if (_status is null) return;
            if (keep) Console.Error.WriteLine();
            else EraseStatus();
            Console.Error.Flush();
            _status = null;
        }
    }

    private static void EraseStatus()
    {
        if (_status is not null) Console.Error.Write("\r\u001b[2K");
    }

    private static void DrawStatus()
    {
        if (_status is null) return;
        Console.Error.Write(_status);
        Console.Error.Flush();
    }
}
