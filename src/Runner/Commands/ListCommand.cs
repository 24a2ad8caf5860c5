using System.Globalization;
using System.Text.Json;
using GenLab.Runner.Compare;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Commands;

public static class ListCommand
{
    /// <summary>Every run under <paramref name="resultsRoot"/>, oldest first (see <see cref="RunCatalog.Find"/>).</summary>
    public static IReadOnlyList<RunEntry> Find(string resultsRoot) => RunCatalog.Find(resultsRoot);

    public static int Execute(string resultsRoot, bool json = false)
    {
        if (File.Exists(resultsRoot)) return CliErrors.Report($"{resultsRoot} is a file; list takes the results folder");
        var rows = Find(resultsRoot);
        var varying = VaryingKeys(rows);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => Json(r, resultsRoot, varying[r.Path])), JsonOptions));
            return ExitCodes.Ok;
        }
        if (rows.Count == 0)
        {
            Console.WriteLine($"no runs under {resultsRoot}");
            return ExitCodes.Ok;
        }
        string[] header = ["NAME", "STATUS", "STEPS", "BEST", "STARTED (UTC)", "PATH", "CONFIG"];
        var table = rows.Select(r => new[]
        {
            r.Name, r.Status, $"{r.Step}/{r.TotalSteps}",
            r.Best is null ? "-" : $"{r.Best.Split} {r.Best.Metric} {r.Best.Value.ToString("F4", CultureInfo.InvariantCulture)} @{r.Best.Step}",
            r.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            Path.Combine(resultsRoot, r.RelativePath),
            string.Join(" ", varying[r.Path].Select(k => $"{k.Key}={k.Value}")),
        }).ToList();
        int[] widths = header.Select((h, i) => Math.Max(h.Length, table.Max(row => row[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in table) Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return ExitCodes.Ok;
    }

    /// <summary>For each run, the config keys whose values vary between the runs of its experiment (a <c>--set</c>, a
    /// seed): what tells two runs of one experiment apart. Empty for an experiment's only run.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Value)>> VaryingKeys(IReadOnlyList<RunEntry> rows)
    {
        var result = new Dictionary<string, IReadOnlyList<(string, string)>>(StringComparer.Ordinal);
        foreach (var experiment in rows.Where(r => !r.IsReference).GroupBy(r => r.Name))
        {
            var runs = experiment.ToList();
            var keys = runs.Select(r => ConfigKeys.Read(r.Path)).ToList();
            var differing = runs.Count < 2 ? new HashSet<string>() : ConfigKeys.Compare(keys).Differences.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            for (int i = 0; i < runs.Count; i++)
                result[runs[i].Path] = keys[i].Where(k => differing.Contains(k.Key)).ToList();
        }
        foreach (var row in rows) result.TryAdd(row.Path, []);
        return result;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new GenLab.Reports.RunFolder.NonFiniteAsNull() },
    };

    /// <summary>One run for scripts: what the table shows, with the path as given (results folder + run folder), the
    /// report's path and the varying config keys as an object.</summary>
    internal static object Json(RunEntry r, string resultsRoot, IReadOnlyList<(string Key, string Value)> varying) => new
    {
        r.Name, r.RunId, r.Kind, r.Status, r.Step, r.TotalSteps,
        Best = r.Best is { } b ? new { b.Split, b.Metric, b.Value, b.Step } : null,
        r.StartedUtc, r.EndedUtc,
        DurationS = r.Duration?.TotalSeconds,
        Path = Path.Combine(resultsRoot, r.RelativePath),
        Report = r.ReportRelative is { } report ? Path.Combine(resultsRoot, report) : null,
        r.IsReference,
        Config = varying.ToDictionary(k => k.Key, k => k.Value),
    };
}
