using System.Text.Json;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Compare;

/// <summary>One expectation of a run as <c>results.json</c> records it: the rule and whether the run met it.</summary>
public sealed record ExpectedResult(string Rule, bool Passed);

/// <summary>One run as a comparison reads it: only files in its folder, never written. Reads a run folder and a
/// reference folder (<c>results/reference/&lt;name&gt;/</c>: no samples, section PNGs in <c>report/</c>) alike.</summary>
public sealed record ComparedRun
{
    /// <summary>A, B, C…: how tables, legends and columns name the run.</summary>
    public required string Label { get; init; }
    /// <summary>The folder as the reader names it (relative to where genlab ran, or to the results folder).</summary>
    public required string Display { get; init; }
    public required RunInfo Info { get; init; }
    public bool IsReference { get; init; }
    /// <summary>Where the run's own report opens from the comparison page; null when there is none.</summary>
    public string? ReportHref { get; init; }
    public IReadOnlyList<MetricRow> Metrics { get; init; } = [];
    public IReadOnlyList<SampleRecord> Samples { get; init; } = [];
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];
    public IReadOnlyDictionary<string, byte[]> Images { get; init; } = new Dictionary<string, byte[]>();
    /// <summary>The named results of <c>results.json</c> (empty for a run that has not finished).</summary>
    public IReadOnlyDictionary<string, double> Results { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, ExpectedResult> Expected { get; init; } = new Dictionary<string, ExpectedResult>();

    /// <summary>"A · tiny 20261207T101500Z-1a2b3c4d", with "(reference)" for a lecture's reference run.</summary>
    public string Title => $"{Label} · {Info.Name} {Info.RunId}" + (IsReference ? " (reference)" : "");

    /// <summary>Reads everything a comparison shows. A file that is missing is an empty part; a torn last line of
    /// metrics.csv or samples.jsonl (the run is still writing) is skipped by their readers.</summary>
    public static ComparedRun Read(string runDir, string label, string display, bool isReference = false, string? reportHref = null)
    {
        var info = RunInfo.Read(runDir);
        var (results, expected) = ReadResults(Path.Combine(runDir, "results.json"));
        return new ComparedRun
        {
            Label = label,
            Display = display,
            Info = info,
            IsReference = isReference,
            ReportHref = reportHref,
            Metrics = MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics)),
            Samples = SampleRecord.Read(Path.Combine(runDir, RunFiles.Samples)),
            Sections = ReportSections.Read(runDir),
            Images = ReadImages(runDir),
            Results = results,
            Expected = expected,
        };
    }

    /// <summary>The PNGs the sections name: in <c>sections/</c> for a run, in <c>report/</c> for a reference (which
    /// keeps them only there).</summary>
    private static Dictionary<string, byte[]> ReadImages(string runDir)
    {
        var images = new Dictionary<string, byte[]>(ReportSections.Images(runDir));
        string report = Path.Combine(runDir, RunFiles.Report);
        if (Directory.Exists(report))
            foreach (string png in Directory.EnumerateFiles(report, "*.png"))
                images.TryAdd(Path.GetFileName(png), File.ReadAllBytes(png));
        return images;
    }

    /// <summary><c>results.json</c>: <c>{"values": {name: number}, "expectations": [{"name", "rule", "passed"}]}</c>.</summary>
    private static (Dictionary<string, double>, Dictionary<string, ExpectedResult>) ReadResults(string path)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var expected = new Dictionary<string, ExpectedResult>(StringComparer.Ordinal);
        if (!File.Exists(path)) return (values, expected);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Object)
                foreach (var p in v.EnumerateObject())
                    values[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN;
            if (document.RootElement.TryGetProperty("expectations", out var e) && e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray())
                    if (item.TryGetProperty("name", out var name) && item.TryGetProperty("rule", out var rule))
                        expected[name.GetString() ?? ""] = new ExpectedResult(rule.GetString() ?? "",
                            item.TryGetProperty("passed", out var passed) && passed.ValueKind == JsonValueKind.True);
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a results file ({e.Message})", e); }
        return (values, expected);
    }
}
