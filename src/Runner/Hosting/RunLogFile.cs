using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Hosting;

/// <summary>Mirrors every log line into the run's <c>log.txt</c>. Lines logged before the run folder exists are
/// buffered and written when <see cref="Open"/> is called.</summary>
public sealed class RunLogFile : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<string> _pending = [];
    private StreamWriter? _writer;

    public void Open(string path)
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
            foreach (string line in _pending) _writer.WriteLine(line);
            _pending.Clear();
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            if (_writer is null) _pending.Add(line);
            else _writer.WriteLine(line);
        }
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate) { _writer?.Dispose(); _writer = null; }
    }

    private sealed class FileLogger(RunLogFile sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string shortCategory = category[(category.LastIndexOf('.') + 1)..];
            string line = $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss.fff}Z {Level(logLevel)} {shortCategory}: {formatter(state, exception)}";
            if (exception is not null) line += Environment.NewLine + exception;
            sink.Write(line);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Warning => "WARN ", LogLevel.Error => "ERROR", LogLevel.Critical => "CRIT ", _ => "INFO ",
        };
    }
}
