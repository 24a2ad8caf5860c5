using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GenLab.Runner.Tests.Support;

/// <summary>A real <c>genlab serve</c> process on a free port of 127.0.0.1, stopped when disposed.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public string Url { get; }

    private ServeProcess(Process process, string url) => (_process, Url) = (process, url);

    public static async Task<ServeProcess> StartAsync(string results, string? workingDirectory = null)
    {
        var process = GenlabProcess.Start(["serve", "--results", results, "--port", "0"], workingDirectory: workingDirectory);
        var clock = Stopwatch.StartNew();
        var seen = new System.Text.StringBuilder();
        while (clock.Elapsed < GenlabProcess.Timeout)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(GenlabProcess.Timeout);
            if (line is null) break;
            seen.AppendLine(line);
            if (UrlPattern().Match(line) is { Success: true } m)
            {
                var serve = new ServeProcess(process, m.Value);
                // Standard output was read line by line so far, so it is drained the same way (not with BeginOutputReadLine).
                _ = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync() is { } more) lock (serve._output) serve._output.AppendLine(more);
                });
                process.ErrorDataReceived += (_, e) => { lock (serve._output) serve._output.AppendLine(e.Data); };
                process.BeginErrorReadLine();
                return serve;
            }
        }
        string stderr = process.HasExited ? await process.StandardError.ReadToEndAsync() : "";
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        Assert.Fail($"genlab serve printed no address:\n{seen}{stderr}");
        return null!;
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:[0-9]+")]
    private static partial Regex UrlPattern();
}
