using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Serve;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GenLab.Runner.Tests.Serve;

/// <summary><c>genlab serve</c>'s app in this process, over HTTP on a free loopback port: what it answers, what it
/// refuses, that it writes nothing, and that it follows a run being written and then deleted.</summary>
[Collection(TorchCollection.Name)]
public sealed class DashboardTests : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;
    private WebApplication? _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public DashboardTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
        _dir.Write("secret.txt", "do not serve me");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<Uri> StartAsync()
    {
        Directory.CreateDirectory(_results);
        _app = Dashboard.Build(_results, IPAddress.Loopback, 0);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }

    /// <summary>Every file under the results folder with its size and write time.</summary>
    private List<string> Snapshot() =>
        Directory.EnumerateFiles(_results, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(_results, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}").Order().ToList();

    [Fact]
    public async Task Serve_ListsRunsAndServesReportsComparisonsAndFiles_AndWritesNothing()
    {
        var (_, a) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
        var (_, b) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.steps=60"), _results);
        string relA = $"tiny/{Path.GetFileName(a)}", relB = $"tiny/{Path.GetFileName(b)}";
        var before = Snapshot();
        var url = await StartAsync();

        using var runs = JsonDocument.Parse(await _http.GetStringAsync(new Uri(url, "/api/runs")));
        Assert.Equal([relA, relB], runs.RootElement.EnumerateArray().Select(r => r.GetProperty("path").GetString()));
        Assert.Equal("60", runs.RootElement[1].GetProperty("config").GetProperty("training.steps").GetString());
        string page = await _http.GetStringAsync(url);
        Assert.Contains("<table id=\"runs\">", page);
        Assert.Contains(Path.GetFileName(a), await _http.GetStringAsync(new Uri(url, $"/report?run={relA}")));
        string comparison = await _http.GetStringAsync(new Uri(url, $"/compare?run={relA}&run={Uri.EscapeDataString(relB)}"));
        Assert.Contains("<div id=\"config-diff\">", comparison);
        Assert.Contains("<td class=\"key\">training.steps</td><td class=\"differs\">40</td><td class=\"differs\">60</td>", comparison);
        Assert.Contains("data-metric=\"loss\"", comparison);
        var csv = await _http.GetAsync(new Uri(url, $"/files/{relA}/metrics.csv"));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/plain", csv.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith(MetricsCsv.Header, await csv.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.PostAsync(new Uri(url, "/api/runs"), new StringContent(""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync(new Uri(url, $"/compare?run={relA}"))).StatusCode);

        Assert.Equal(before, Snapshot());
    }

    [Theory]
    [InlineData("/files/..%2Fsecret.txt")]
    [InlineData("/files/%2e%2e/secret.txt")]
    [InlineData("/files/tiny/../../secret.txt")]
    [InlineData("/files/tiny/%2e%2e/%2e%2e/secret.txt")]
    [InlineData("/files/tiny/out/secret.txt")]
    [InlineData("/files/tiny/outfile")]
    [InlineData("/files//etc/passwd")]
    [InlineData("/report?run=../")]
    [InlineData("/report?run=tiny/out")]
    [InlineData("/api/events?run=..%2F")]
    [InlineData("/compare?run=..&run=tiny/out")]
    public async Task Serve_APathOutsideTheResultsFolder_IsRefused_TypedEncodedOrThroughALink(string target)
    {
        Directory.CreateDirectory(Path.Combine(_results, "tiny"));
        Directory.CreateSymbolicLink(Path.Combine(_results, "tiny", "out"), _dir.Root);
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "outfile"), Path.Combine(_dir.Root, "secret.txt"));
        File.WriteAllText(Path.Combine(_dir.Root, RunFiles.RunInfo), "{}");       // the folder above would pass for a run
        var url = await StartAsync();

        var (status, body) = await RawGet(url, target);

        Assert.InRange(status, 400, 404);
        Assert.DoesNotContain("do not serve me", body);
        Assert.DoesNotContain("root:", body);
    }

    [Fact]
    public async Task Serve_ARequestForAnotherHostName_IsRefused()
    {
        var url = await StartAsync();

        var (status, body) = await RawGet(url, "/api/runs", host: "attacker.example");

        Assert.Equal(400, status);
        Assert.Contains("localhost only", body);
    }

    [Fact]
    public async Task Events_FollowARunBeingWritten_WholeLinesOnly_ThenSayGoneWhenItIsDeleted()
    {
        string run = Path.Combine(_results, "live", "run-1");
        Directory.CreateDirectory(run);
        var info = new RunInfo
        {
            Name = "live", Kind = "mlp_char", RunId = "run-1", Status = RunStatus.Running, StartedUtc = DateTimeOffset.UtcNow,
            TotalSteps = 100, Step = 10, ProcessId = Environment.ProcessId, Environment = new EnvironmentInfo(),
        };
        info.Write(run);
        string metrics = Path.Combine(run, RunFiles.Metrics);
        File.WriteAllText(metrics, MetricsCsv.Header + "\n0,train,loss,3.5,0\n10,train,loss,3.1,1\n");
        var url = await StartAsync();

        using var response = await _http.GetAsync(new Uri(url, "/api/events?run=live/run-1"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new EventReader(reader);

        Assert.Contains("\"status\":\"running\"", (await events.Next("run")));
        Assert.Equal("[[0,\"train\",\"loss\",3.5],[10,\"train\",\"loss\",3.1]]", await events.Next("metrics"));

        File.AppendAllText(metrics, "20,train,loss,2.9,2\n30,train,lo");           // the trainer mid-line
        Assert.Equal("[[20,\"train\",\"loss\",2.9]]", await events.Next("metrics"));
        (info with { Step = 30 }).Write(run);
        Assert.Contains("\"step\":30", await events.Next("run"));
        File.AppendAllText(metrics, "ss,2.7,3\n");
        Assert.Equal("[[30,\"train\",\"loss\",2.7]]", await events.Next("metrics"));

        Directory.Delete(Path.Combine(_results, "live"), recursive: true);
        await events.Next("gone");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(url, "/api/runs"))).StatusCode);
    }

    [Fact]
    public async Task Serve_WhileRunFoldersAreWrittenAndDeleted_AnswersEveryRequest()
    {
        var url = await StartAsync();
        using var churn = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 0; !churn.IsCancellationRequested; i++)
            {
                string run = Path.Combine(_results, "churn", $"run-{i % 3}");
                if (Directory.Exists(run)) { Directory.Delete(run, recursive: true); continue; }
                Directory.CreateDirectory(Path.Combine(run, RunFiles.Checkpoints, "step-000010"));
                File.WriteAllText(Path.Combine(run, RunFiles.Experiment), $"name: churn\ntraining:\n  steps: {i}\n");
                File.WriteAllText(Path.Combine(run, RunFiles.Metrics), MetricsCsv.Header + "\n0,val,loss,3,0\n");
                new RunInfo
                {
                    Name = "churn", Kind = "mlp_char", RunId = $"run-{i % 3}", Status = RunStatus.Completed, StartedUtc = DateTimeOffset.UtcNow,
                    Environment = new EnvironmentInfo(),
                }.Write(run);
            }
        });

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 60; i++)
        {
            statuses.Add((await _http.GetAsync(new Uri(url, "/api/runs"))).StatusCode);
            statuses.Add((await _http.GetAsync(new Uri(url, "/compare?run=churn/run-0&run=churn/run-1"))).StatusCode);
            statuses.Add((await _http.GetAsync(new Uri(url, "/report?run=churn/run-2"))).StatusCode);
        }
        churn.Cancel();
        await writer;

        Assert.All(statuses, s => Assert.True((int)s < 500, $"the server failed with {s}"));
        Assert.Contains(HttpStatusCode.OK, statuses.Where((_, i) => i % 3 == 0));
    }

    /// <summary>A request as sent, without the client normalising its path (HttpClient and browsers remove dot segments).</summary>
    private static async Task<(int Status, string Body)> RawGet(Uri url, string target, string host = "127.0.0.1")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(url.Host, url.Port);
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}:{url.Port}\r\nConnection: close\r\n\r\n"));
        string response = await new StreamReader(stream).ReadToEndAsync();
        return (int.Parse(response.Split(' ')[1]), response);
    }

    /// <summary>Reads server-sent events: the data of the next event of a name, skipping others (pings, run updates).</summary>
    private sealed class EventReader(StreamReader reader)
    {
        public async Task<string> Next(string name)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? current = null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) current = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == name) return line["data: ".Length..];
            }
            Assert.Fail($"the stream ended before a '{name}' event");
            return "";
        }
    }
}
