using GenLab.Runner.Hosting;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Tests.Support;

/// <summary>Records log messages and calls <see cref="OnEvaluated"/> from the trainer's thread when it logs the
/// evaluation at a step ("step {Step}: val loss ..."): a deterministic place to cancel a run or take a measurement.</summary>
internal sealed class HookLogger : ILogger<ExperimentSession>
{
    private const string EvaluationFormat = "step {Step}: val loss";

    public List<(LogLevel Level, string Message)> Messages { get; } = [];
    public Action<long>? OnEvaluated { get; init; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        lock (Messages) Messages.Add((logLevel, formatter(state, exception)));
        if (OnEvaluated is null || state is not IReadOnlyList<KeyValuePair<string, object?>> values) return;
        if (values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value is string format
            && format.StartsWith(EvaluationFormat, StringComparison.Ordinal)
            && values.FirstOrDefault(v => v.Key == "Step").Value is long step)
            OnEvaluated(step);
    }

    /// <summary>A logger that cancels <paramref name="stop"/> once the evaluation at <paramref name="step"/> is logged;
    /// the trainer then checkpoints that step at the top of the next loop iteration and returns Interrupted.</summary>
    public static HookLogger CancelAfterEvaluation(long step, CancellationTokenSource stop) =>
        new() { OnEvaluated = s => { if (s == step) stop.Cancel(); } };

    public string Text()
    {
        lock (Messages) return string.Join("\n", Messages.Select(m => m.Message));
    }
}
