using Microsoft.Extensions.Hosting;

namespace GenLab.Runner.Hosting;

/// <summary>Runs the requested experiment inside the host's lifetime: Ctrl-C / SIGTERM cancel
/// <c>stoppingToken</c>, the trainer finishes its step, checkpoints, and the service stops the host.</summary>
public sealed class ExperimentHostedService(
    RunRequest request,
    ExperimentSession session,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    public int ExitCode { get; private set; } = ExitCodes.Failed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Training is synchronous CPU work: give it its own thread so the host's signal handling stays responsive.
        ExitCode = await Task.Factory.StartNew(() => session.Execute(request, stoppingToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        lifetime.StopApplication();
    }
}
