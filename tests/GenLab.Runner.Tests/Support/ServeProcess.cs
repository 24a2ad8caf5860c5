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
        try
        {
            var seen = new System.Text.StringBuilder();
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(GenlabProcess.Timeout) is { } line)
            {
                seen.AppendLine(line);
                if (UrlPattern().Match(line) is not { Success: true } m) continue;
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
            Assert.Fail($"genlab serve printed no address:\n{seen}{await process.StandardError.ReadToEndAsync()}");
            return null!;
        }
        catch
        {
            // Whatever went wrong (no address, a time-out), no server is left running behind the test.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
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
