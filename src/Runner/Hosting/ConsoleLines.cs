using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace GenLab.Runner.Hosting;

/// <summary>The console log format. Warnings and errors are one line each, <c>warning: …</c> or <c>error: …</c>, without
/// timestamp or logger name, and go to standard error (<see cref="ConsoleLoggerOptions.LogToStandardErrorThreshold"/>),
/// so <c>genlab run x.yaml &gt; log</c> still shows them. Other lines keep the simple console's single-line form.</summary>
internal sealed class ConsoleLines() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "genlab";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.LogLevel >= LogLevel.Warning)
        {
            string level = logEntry.LogLevel == LogLevel.Warning ? "warning" : "error";
            // The stack trace goes to the run's log.txt (RunLogFile); the console names the exception only.
            string exception = logEntry.Exception is { } e ? $" ({e.GetType().Name})" : "";
            textWriter.WriteLine($"{level}: {Commands.CliErrors.OneLine(message)}{exception}");
            return;
        }
        string levelName = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce", LogLevel.Debug => "dbug", _ => "info",
        };
        textWriter.WriteLine($"{DateTime.Now:HH:mm:ss} {levelName}: {logEntry.Category}[{logEntry.EventId.Id}] {message}");
    }
}
