using System.Runtime.InteropServices;
using GenLab.Reports.RunFolder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Hosting;

/// <summary>Builds the Generic Host that executes one run request, and handles the second Ctrl-C.</summary>
public static class RunHost
{
    /// <summary>How long the host waits for the trainer to finish its step and write a checkpoint after Ctrl-C.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMinutes(10);

    public static IHost Build(RunRequest request)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleLog());
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        var logFile = new RunLogFile();
        builder.Logging.AddProvider(logFile);
        builder.Services.AddSingleton(logFile);
        builder.Services.AddSingleton(request);
        builder.Services.AddSingleton<ExperimentSession>();
        builder.Services.AddSingleton<ExperimentHostedService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExperimentHostedService>());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        return builder.Build();
    }

    public static async Task<int> RunAsync(RunRequest request)
    {
        using var host = Build(request);
        var session = host.Services.GetRequiredService<ExperimentSession>();
        var service = host.Services.GetRequiredService<ExperimentHostedService>();
        using var hardStop = HardStopOnSecondInterrupt(session);
        await host.RunAsync();
        return service.ExitCode;
    }

    /// <summary>The host turns the first SIGINT into a graceful stop (finish the step, checkpoint). A second one means
    /// "now": run.json is marked interrupted and the process ends at once. Checkpoints are renamed into place
    /// only when complete, so the last good one is untouched; a half-written one stays a hidden temp folder.</summary>
    private static IDisposable HardStopOnSecondInterrupt(ExperimentSession session)
    {
        int count = 0;
        return PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (Interlocked.Increment(ref count) < 2) return;
            context.Cancel = true;
            try { session.Recorder?.Finish(RunStatus.Interrupted, "stopped at once by a second Ctrl-C; resume from the last checkpoint"); }
            catch (IOException) { }
            Console.Error.WriteLine("\nsecond Ctrl-C: stopping now; the last complete checkpoint is kept");
            if (OperatingSystem.IsWindows()) Environment.Exit(ExitCodes.Interrupted);
            ExitNow(ExitCodes.Interrupted);
        });
    }

    // _exit skips ProcessExit handlers, which would otherwise wait for the host to finish the graceful stop.
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);
}
