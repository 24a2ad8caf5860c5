using GenLab.Runner.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Hosting;

/// <summary>Runs the requested experiment inside the host's lifetime: Ctrl-C / SIGTERM cancel
/// <c>stoppingToken</c>, the trainer finishes its step, checkpoints, and the service stops the host.</summary>
public sealed class ExperimentHostedService(
    RunRequest request,
    ExperimentSession session,
    IHostApplicationLifetime lifetime,
    ILogger<ExperimentHostedService> logger) : BackgroundService
{
    public int ExitCode { get; private set; } = ExitCodes.Failed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Training is synchronous CPU work: give it its own thread so the host's signal handling stays responsive.
        ExitCode = await Task.Factory.StartNew(() => session.Execute(request, stoppingToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        WriteResultsIndex();
        lifetime.StopApplication();
    }

    /// <summary>results/index.html after every run that claimed a folder, however it ended.</summary>
    private void WriteResultsIndex()
    {
        if (session.Recorder?.Folder.Path is not { } runDir) return;
        bool resumed = request.ResumeDirectory is not null;
        string resultsRoot = resumed ? Path.GetDirectoryName(Path.GetDirectoryName(runDir))! : request.ResultsRoot;
        try { ResultsIndex.Write(resultsRoot, resumed ? null : request.ResultsRoot); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("results index not written: {Message}", e.Message);
        }
    }
}
