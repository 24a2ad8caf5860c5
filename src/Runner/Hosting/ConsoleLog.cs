using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Hosting;

/// <summary>GenLab's console logger: <c>HH:mm:ss message</c> for information on stdout, <c>warning: message</c> and
/// <c>error: message</c> on stderr, as the command-line errors and compilers print them — no category, no event id. A line that carries an exception shows its
/// type and message only; the stack trace goes to the run's <c>log.txt</c> (<see cref="RunLogFile"/>).</summary>
public sealed class ConsoleLog : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger();

    public void Dispose() { }

    /// <summary>The line as printed (without colour). Lines of a multi-line message after the first are indented under
    /// the message, so each log entry still reads as one block.</summary>
    public static string Format(DateTime time, LogLevel level, string message, Exception? exception = null, bool color = false)
    {
        string text = exception is null ? message : $"{message} ({exception.GetType().Name}: {exception.Message})";
        string time8 = time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        string label = LevelLabel(level);
        if (color && label.Length > 0) label = (level >= LogLevel.Error ? "\u001b[31m" : "\u001b[33m") + label + "\u001b[0m";
        string prefix = label.Length > 0 ? $"{label}: " : $"{time8} ";
        string indent = label.Length > 0 ? "  " : new(' ', time8.Length + 1);
        return prefix + text.ReplaceLineEndings("\n").TrimEnd('\n').Replace("\n", "\n" + indent, StringComparison.Ordinal);
    }

    /// <summary>Empty for information: it is what almost every line is, so it says nothing.</summary>
    private static string LevelLabel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "",
    };

    private sealed class Logger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            bool toError = logLevel >= LogLevel.Warning;
            ConsoleOutput.WriteLine(Format(DateTime.Now, logLevel, formatter(state, exception), exception, ConsoleOutput.UseColor(toError)), toError);
        }
    }
}
