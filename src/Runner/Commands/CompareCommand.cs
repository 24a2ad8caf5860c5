using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GenLab.Reports;
using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Compare;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Commands;

public static class CompareCommand
{
    /// <summary>The folder of comparisons inside a results folder.</summary>
    public const string CompareFolder = "compare";

    /// <param name="runs">Run folders, latest pointers or latest:&lt;name&gt;.</param>
    /// <param name="withReference">--ref was given: compare with the reference run of each run's experiment.</param>
    /// <param name="referenceDir">--ref's folder (a reference run, or a folder of them); null: &lt;results&gt;/reference.</param>
    public static int Execute(IReadOnlyList<string> runs, bool withReference, string? referenceDir, string? outDir, string resultsRoot)
    {
        if (File.Exists(resultsRoot)) return CliErrors.Report($"--results {resultsRoot} is a file; it names the results folder");
        // `compare --ref RUN` reads RUN as --ref's value; with no other run it can only be the run.
        if (withReference && runs.Count == 0 && referenceDir is not null) (runs, referenceDir) = ([referenceDir], null);
        if (runs.Count == 0 || (runs.Count < 2 && !withReference))
            return CliErrors.Report("compare takes two or more runs, or one run and --ref (its experiment's reference run)");

        var selected = new List<SelectedRun>();
        try
        {
            var paths = runs.Select(r => RunComparer.Resolve(r, resultsRoot)).ToList();
            selected.AddRange(paths.Select(p => new SelectedRun(p, Display(p), IsReference(p))));
            if (withReference)
                foreach (string reference in paths.Select(p => RunComparer.Reference(p, referenceDir, resultsRoot)).Distinct())
                    if (selected.All(s => s.Path != reference)) selected.Add(new SelectedRun(reference, Display(reference), IsReference: true));
        }
        catch (InvalidDataException e) { return CliErrors.Report(e.Message); }
        if (selected.Count < 2) return CliErrors.Report("these name one run twice; compare takes two different runs");
        if (selected.Count > RunComparer.MaxRuns)
            return CliErrors.Report($"{selected.Count} runs: compare takes at most {RunComparer.MaxRuns} (columns get too narrow)");

        string output = Path.GetFullPath(outDir ?? Path.Combine(resultsRoot, CompareFolder, Stem(selected)));
        if (File.Exists(output)) return CliErrors.Report($"--out {outDir} is a file; it names the folder the comparison is written to");
        if (File.Exists(Path.Combine(output, RunFiles.RunInfo)) || selected.Any(s => IsInside(output, s.Path)))
            return CliErrors.Report($"--out {outDir}: a comparison is never written into a run folder");

        selected = selected.Select(s => s with { ReportHref = ReportHref(s.Path, output) }).ToList();
        var comparison = RunComparer.Build(selected);
        ComparisonReport.Write(output, comparison);
        Summarize(comparison);
        Console.WriteLine($"comparison: {Display(Path.Combine(output, ComparisonReport.Html))} (and {ComparisonReport.Markdown})");
        return ExitCodes.Ok;
    }

    /// <summary>What differs, on the console: the config keys, and the final and best value of each loss or accuracy.</summary>
    private static void Summarize(Comparison c)
    {
        foreach (var run in c.Runs) Console.WriteLine($"{run.Label}  {run.Info.Name} {run.Info.RunId}  {run.Display}" + (run.IsReference ? "  (reference)" : ""));
        if (!c.SameKind) Console.WriteLine("runs of different kinds: only what they share is compared");
        if (c.Config.Differences.Count == 0) Console.WriteLine($"config: identical ({c.Config.SameKeys} keys)");
        foreach (var d in c.Config.Differences)
            Console.WriteLine($"config {d.Key}: " + string.Join(", ", d.Values.Select((v, i) => $"{c.Runs[i].Label} {v ?? "(absent)"}")));
        foreach (var m in c.Metrics().Where(m => m.Goal != MetricGoal.None && m.Split is "val" or "test" or "train_eval"))
        {
            string Cell(MetricSummary? s, int i) => s is { Count: > 0 }
                ? $"{c.Runs[i].Label} {s.Last.ToString("F4", CultureInfo.InvariantCulture)}" + (s.Best is { } b ? $" (best {b.ToString("F4", CultureInfo.InvariantCulture)} @{s.BestStep})" : "")
                : $"{c.Runs[i].Label} —";
            string better = m.BetterBest is { } w ? $"; better: {c.Runs[w].Label}" : "";
            Console.WriteLine($"{m.Split} {m.Metric}: {string.Join(", ", m.Runs.Select(Cell))}{better}");
        }
    }

    /// <summary>results/compare/&lt;run ids joined by _vs_&gt;; a reference shows as ref-&lt;name&gt;. Long names are
    /// shortened with a hash of the whole, so the same runs always land in the same folder.</summary>
    private static string Stem(IReadOnlyList<SelectedRun> runs)
    {
        string stem = string.Join("_vs_", runs.Select(r => r.IsReference ? "ref-" + RunInfo.Read(r.Path).Name : Path.GetFileName(r.Path)));
        if (stem.Length <= 120) return stem;
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stem)))[..8];
        return stem[..100] + "-" + hash;
    }

    /// <summary>A reference run lives in &lt;results&gt;/reference/&lt;name&gt;.</summary>
    private static bool IsReference(string runDir) =>
        Path.GetFileName(Path.GetDirectoryName(runDir)) == RunCatalog.ReferenceFolder;

    internal static string? ReportHref(string runDir, string outDir)
    {
        string html = Path.Combine(runDir, RunFiles.Report, RunReport.Html), markdown = Path.Combine(runDir, RunFiles.Report, RunReport.Markdown);
        string? target = File.Exists(html) ? html : File.Exists(markdown) ? markdown : null;
        return target is null ? null : Path.GetRelativePath(outDir, target).Replace('\\', '/');
    }

    /// <summary>Relative to the working directory when below it (what a student types back), else the full path.</summary>
    internal static string Display(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static bool IsInside(string path, string folder) =>
        (path + Path.DirectorySeparatorChar).StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
