using System.Text;
using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Runs;
using Microsoft.AspNetCore.Http;

namespace GenLab.Runner.Serve;

/// <summary>Server-sent events that follow one run folder while the trainer writes it: <c>metrics</c> (the rows of
/// metrics.csv since the last event, whole lines only), <c>run</c> (status and step from run.json whenever it changes),
/// <c>reset</c> (metrics.csv shrank: a resume set rows aside), <c>end</c> (the run stopped and everything was sent) and
/// <c>gone</c> (the folder was deleted). Files are polled, opened to share writing and deletion with the trainer, and
/// never written; a file that vanishes or is half-replaced between two looks is looked at again next time.</summary>
public static class RunEvents
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Ping = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext context, string runDir)
    {
        var response = context.Response;
        var stop = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(stop);

        string metricsPath = Path.Combine(runDir, RunFiles.Metrics), runPath = Path.Combine(runDir, RunFiles.RunInfo);
        long offset = 0;
        string? lastRun = null;
        var lastWrite = DateTime.UtcNow;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (!Directory.Exists(runDir))
                {
                    await SendAsync(response, "gone", "{}", stop);
                    return;
                }
                string? status = null;
                if (ReadShared(runPath) is { } text && TryRun(text) is { } info)
                {
                    status = RunCatalog.StatusOf(info);
                    string json = JsonSerializer.Serialize(new
                    {
                        status, step = info.Step, total_steps = info.TotalSteps, error = info.Error,
                        best = info.Best is { } b ? new { b.Split, b.Metric, value = double.IsFinite(b.Value) ? b.Value : (double?)null, b.Step } : null,
                    }, Json);
                    if (json != lastRun) { await SendAsync(response, "run", json, stop); lastRun = json; lastWrite = DateTime.UtcNow; }
                }
                var (rows, next, reset) = ReadRows(metricsPath, offset);
                offset = next;
                if (reset) await SendAsync(response, "reset", "{}", stop);
                if (rows.Count > 0)
                {
                    await SendAsync(response, "metrics", JsonSerializer.Serialize(rows.Select(r => new object?[]
                        { r.Step, r.Split, r.Metric, double.IsFinite(r.Value) ? r.Value : null }), Json), stop);
                    lastWrite = DateTime.UtcNow;
                }
                else if (status is not null and not "running")
                {
                    await SendAsync(response, "end", "{}", stop);
                    return;
                }
                if (DateTime.UtcNow - lastWrite > Ping)
                {
                    await response.WriteAsync(": ping\n\n", stop);
                    await response.Body.FlushAsync(stop);
                    lastWrite = DateTime.UtcNow;
                }
                await Task.Delay(Poll, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }   // the browser went away
        catch (IOException) when (stop.IsCancellationRequested) { }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static async Task SendAsync(HttpResponse response, string name, string data, CancellationToken stop)
    {
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", stop);
        await response.Body.FlushAsync(stop);
    }

    private static RunInfo? TryRun(string text)
    {
        try { return JsonSerializer.Deserialize<RunInfo>(text, RunInfo.Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>A small file's text, or null when it is missing or vanished while read.</summary>
    internal static string? ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The complete lines of metrics.csv after byte <paramref name="offset"/>: a line still being written waits
    /// for the next look. <c>Reset</c> when the file is now shorter than what was read (rows were set aside).</summary>
    internal static (List<MetricRow> Rows, long Offset, bool Reset) ReadRows(string path, long offset)
    {
        var rows = new List<MetricRow>();
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bool reset = stream.Length < offset;
            if (reset) offset = 0;
            if (stream.Length == offset) return (rows, offset, reset);
            stream.Seek(offset, SeekOrigin.Begin);
            var buffer = new byte[stream.Length - offset];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            int end = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
            if (end < 0) return (rows, offset, reset);
            foreach (string line in Encoding.UTF8.GetString(buffer, 0, end).Split('\n'))
            {
                if (line.Length == 0 || line.StartsWith("step,", StringComparison.Ordinal)) continue;
                try { rows.Add(MetricsCsv.Parse(line.TrimEnd('\r'), 0, path)); }
                catch (InvalidDataException) { }
            }
            return (rows, offset + end + 1, reset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (rows, offset, false); }
    }
}
