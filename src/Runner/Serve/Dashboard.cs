using System.Net;
using System.Text.Json;
using GenLab.Reports;
using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Compare;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Serve;

/// <summary>The web app behind <c>genlab serve</c>: the dashboard page, the runs as JSON, live events of a run, each
/// run's report, comparisons, and the run folders' files, all read from the results folder and nothing written.
/// Every path from a request goes through <see cref="ResultsPaths"/>; only GET (and HEAD) is answered.</summary>
public static class Dashboard
{
    public const string DashboardResource = "GenLab.Runner.Serve.dashboard.html";

    /// <param name="address">The address Kestrel listens on (loopback unless the user chose otherwise).</param>
    /// <param name="resultsDisplay">The results folder as commands name it (the compare command a page shows).</param>
    public static WebApplication Build(string resultsRoot, IPAddress address, int port, string resultsDisplay = "results")
    {
        var paths = new ResultsPaths(resultsRoot);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            // Not the results folder: the host would look there for appsettings files and watch it.
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleLog());
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        var app = builder.Build();

        if (IPAddress.IsLoopback(address))
            app.Use(async (context, next) =>
            {
                // Bound to loopback, the dashboard answers only to loopback names: a web page elsewhere that points a
                // name of its own at 127.0.0.1 (DNS rebinding) gets nothing.
                if (context.Request.Host.Host is not ("localhost" or "127.0.0.1" or "[::1]" or "::1"))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsync("genlab serve answers to localhost only\n");
                    return;
                }
                context.Response.Headers.XContentTypeOptions = "nosniff";
                await next(context);
            });

        string page = DashboardHtml().Replace("<meta name=\"genlab-results\" content=\"results\">",
            $"<meta name=\"genlab-results\" content=\"{WebUtility.HtmlEncode(resultsDisplay)}\">", StringComparison.Ordinal);
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/runs", () => Results.Json(Runs(paths), JsonOptions));
        app.MapGet("/api/events", (HttpContext context, string? run) =>
            RunFolderOf(paths, run) is { } dir ? RunEvents.StreamAsync(context, dir) : NotFound(context, run));
        app.MapGet("/report", (string? run) => Report(paths, run));
        app.MapGet("/compare", (HttpContext context) => Compare(paths, context.Request.Query["run"].OfType<string>().ToList(), resultsDisplay));
        app.MapGet("/files/{**path}", (string? path) => FileOf(paths, path));
        return app;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new NonFiniteAsNull() },
    };

    private static string DashboardHtml()
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(DashboardResource)
            ?? throw new InvalidOperationException($"{DashboardResource} is not embedded in genlab.dll");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The runs as <c>list --json</c> prints them, with paths relative to the results folder.</summary>
    private static IEnumerable<object> Runs(ResultsPaths paths)
    {
        var rows = RunCatalog.Find(paths.Root);
        var varying = ListCommand.VaryingKeys(rows);
        return rows.Select(r => ListCommand.Json(r, "", varying[r.Path]));
    }

    /// <summary>A run folder (one that holds run.json) named relative to the results folder, or null.</summary>
    private static string? RunFolderOf(ResultsPaths paths, string? relative) =>
        paths.Resolve(relative) is { } dir && File.Exists(Path.Combine(dir, RunFiles.RunInfo)) ? dir : null;

    private static Task NotFound(HttpContext context, string? run)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsync($"no run folder '{run}' in the results folder\n");
    }

    /// <summary>The run's report/index.html; for a run that has none yet (still at its first steps) or a reference
    /// (Markdown only), the same report rendered in memory from its files.</summary>
    private static IResult Report(ResultsPaths paths, string? run)
    {
        if (RunFolderOf(paths, run) is not { } dir) return Plain($"no run folder '{run}' in the results folder\n", 404);
        try
        {
            string html = Path.Combine(dir, RunFiles.Report, RunReport.Html);
            if (File.Exists(html) && RunEvents.ReadShared(html) is { } text) return Results.Content(text, "text/html; charset=utf-8");
            var content = ReportContent.Read(dir, new ReportOptions());
            var images = new Dictionary<string, byte[]>(content.SectionImages);
            string report = Path.Combine(dir, RunFiles.Report);
            if (Directory.Exists(report))
                foreach (string png in Directory.EnumerateFiles(report, "*.png")) images.TryAdd(Path.GetFileName(png), File.ReadAllBytes(png));
            return Results.Content(HtmlReport.Render(content with { SectionImages = images }), "text/html; charset=utf-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return Results.Problem($"{run}: the run changed while it was read ({e.Message}); reload", statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static IResult Compare(ResultsPaths paths, IReadOnlyList<string> runs, string resultsDisplay)
    {
        if (runs.Count is < 2 or > RunComparer.MaxRuns)
            return Plain($"pick 2 to {RunComparer.MaxRuns} runs to compare (got {runs.Count})\n", 400);
        var selected = new List<SelectedRun>();
        foreach (string run in runs)
        {
            if (RunFolderOf(paths, run) is not { } dir) return Plain($"no run folder '{run}' in the results folder\n", 404);
            string relative = paths.Relative(dir);
            selected.Add(new SelectedRun(dir, relative, relative.StartsWith(RunCatalog.ReferenceFolder + "/", StringComparison.Ordinal),
                "/report?run=" + Uri.EscapeDataString(relative)));
        }
        try
        {
            string html = ComparisonReport.Render(RunComparer.Build(selected)).Html;
            string command = $"{ResultsIndex.CompareCommand} {string.Join(" ", selected.Select(s => ShellWord($"{resultsDisplay.TrimEnd('/')}/{s.Display}")))}";
            string header = $"<p><a href=\"/\">← all runs</a> · on the command line: <code id=\"command\">{WebUtility.HtmlEncode(command)}</code></p>\n";
            int body = html.IndexOf("<body>\n", StringComparison.Ordinal) + "<body>\n".Length;
            return Results.Content(html.Insert(body, header), "text/html; charset=utf-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return Results.Problem($"a run changed while it was read ({e.Message}); reload", statusCode: StatusCodes.Status409Conflict);
        }
    }

    /// <summary>A file of a run folder (metrics.csv, log.txt, a report PNG), read-only and shared with the writer.</summary>
    private static IResult FileOf(ResultsPaths paths, string? relative)
    {
        if (paths.Resolve(relative) is not { } file || !File.Exists(file)) return Plain($"no file '{relative}' in the results folder\n", 404);
        try
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Results.Stream(stream, ContentTypeOf(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Plain($"'{relative}' could not be read ({e.Message})\n", 404);
        }
    }

    private static IResult Plain(string message, int status) => Results.Text(message, "text/plain; charset=utf-8", statusCode: status);

    internal static string ContentTypeOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".png" => "image/png",
        ".json" => "application/json; charset=utf-8",
        ".csv" or ".md" or ".txt" or ".yaml" or ".yml" or ".jsonl" or ".log" or ".discarded" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };

    private static string ShellWord(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
