using GenLab.Reports.RunFolder;

namespace GenLab.Reports;

/// <summary>Everything a report shows, read from one run folder. The HTML and Markdown renderers only format it.</summary>
public sealed record ReportContent(
    RunInfo Run,
    IReadOnlyList<MetricSummary> Summaries,
    IReadOnlyList<PlotImage> Plots,
    IReadOnlyList<SampleRecord> Samples,
    string? ConfigYaml,
    IReadOnlyList<string> Notes,
    double Smoothing,
    IReadOnlyList<ReportSection> Sections,
    IReadOnlyDictionary<string, byte[]> SectionImages)
{
    public static ReportContent Read(string runDir, ReportOptions options)
    {
        RunInfo run = RunInfo.Read(runDir);
        IReadOnlyList<MetricRow> rows = MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics));
        IReadOnlyList<MetricSummary> summaries = MetricSummary.Summarize(rows);
        string configPath = Path.Combine(runDir, RunFiles.Experiment);

        var notes = new List<string>();
        foreach (var s in summaries.Where(s => s.NonFiniteSteps.Count > 0))
            notes.Add($"{s.Split}/{s.Metric}: {s.NonFiniteSteps.Count} NaN/Infinity value(s) left out of the table and plot "
                + $"(step {ReportFormat.Steps(s.NonFiniteSteps)}).");

        return new ReportContent(
            run,
            summaries,
            MetricPlots.Render(rows, options.Smoothing),
            SampleRecord.Read(Path.Combine(runDir, RunFiles.Samples)),
            File.Exists(configPath) ? File.ReadAllText(configPath) : null,
            notes,
            options.Smoothing,
            ReportSections.Read(runDir),
            ReportSections.Images(runDir));
    }

    public TimeSpan? Duration => Run.EndedUtc is { } end ? end - Run.StartedUtc : null;

    /// <summary>Samples grouped by step, newest first; within a step, in file order.</summary>
    public IEnumerable<IGrouping<long, SampleRecord>> SamplesByStepNewestFirst =>
        Samples.GroupBy(s => s.Step).OrderByDescending(g => g.Key);

    /// <summary>Rows of the environment table, in the order a reader checks them when a result will not reproduce.</summary>
    public IReadOnlyList<(string Key, string Value)> Environment
    {
        get
        {
            EnvironmentInfo env = Run.Environment;
            string device = Run.DeviceRequested == Run.Device || Run.DeviceRequested.Length == 0
                ? Run.Device : $"{Run.Device} (requested {Run.DeviceRequested})";
            string libTorch = env.TorchBackend.Length > 0 ? $"{env.LibTorch} ({env.TorchBackend})" : env.LibTorch;
            string git = Run.Git is { } g ? g.Commit + (g.Dirty ? " (dirty: uncommitted changes)" : " (clean)") : "—";
            return
            [
                ("OS", env.Os),
                ("CPU", env.CpuModel),
                ("cores", ReportFormat.Int(env.Cores)),
                ("GPU", env.Gpu ?? "none"),
                ("device", device),
                (".NET", env.DotNet),
                ("TorchSharp", env.TorchSharp),
                ("libtorch", libTorch),
                .. env.MklOnAmd is { } mkl ? [("MKL on AMD", mkl)] : Array.Empty<(string, string)>(),
                .. env.TensorFill is { } fill ? [("tensor memory", fill)] : Array.Empty<(string, string)>(),
                ("GenLab", env.GenLab),
                ("git commit", git),
                ("seed", ReportFormat.Int(Run.Seed)),
                ("command line", ReportFormat.CommandLine(Run.CommandLine)),
            ];
        }
    }
}
