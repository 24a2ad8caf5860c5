using System.Net;
using GenLab.Runner.Hosting;
using GenLab.Runner.Serve;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GenLab.Runner.Commands;

public static class ServeCommand
{
    public const int DefaultPort = 8040;
    public const string DefaultHost = "127.0.0.1";

    /// <summary><c>serve</c>: the dashboard of <paramref name="resultsRoot"/> until Ctrl-C. Binds to loopback unless
    /// <paramref name="host"/> names another address (then says that anyone who reaches it can read every run).</summary>
    public static async Task<int> ExecuteAsync(string resultsRoot, int port, string host)
    {
        if (File.Exists(resultsRoot)) return CliErrors.Report($"--results {resultsRoot} is a file; serve shows a results folder");
        if (!Directory.Exists(resultsRoot)) return CliErrors.Report($"{resultsRoot}: no such results folder (run an experiment first, or name one with --results)");
        if (port is < 0 or > 65535) return CliErrors.Report($"--port must be between 0 and 65535, got {port}");
        IPAddress? address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null) return CliErrors.Report($"--host {host}: not an IP address (127.0.0.1 serves this machine only)");

        await using var app = Dashboard.Build(resultsRoot, address, port, resultsRoot);
        try { await app.StartAsync(); }
        catch (IOException e) { return CliErrors.Report($"cannot listen on {host}:{port}: {e.Message}"); }
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{host}:{port}";
        if (!IPAddress.IsLoopback(address))
            Console.Error.WriteLine($"warning: listening on {address}: anyone who can reach this machine can read every run in {resultsRoot}");
        Console.WriteLine(ConsoleLog.Format(DateTime.Now, Microsoft.Extensions.Logging.LogLevel.Information,
            $"serving {resultsRoot} at {url} (read only; Ctrl-C stops)"));
        await app.WaitForShutdownAsync();
        return ExitCodes.Ok;
    }
}
