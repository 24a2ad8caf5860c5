using GenLab.Reports;
using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;

namespace GenLab.Runner.Compare;

/// <summary>A run folder chosen for a comparison: where it is, how the page names it and links to its report.</summary>
/// <param name="Label">How tables and legends name it; null: A, B, C… by position.</param>
public sealed record SelectedRun(string Path, string Display, bool IsReference, string? ReportHref = null, string? Label = null);

/// <summary>Finds the runs a comparison names and reads them into a <see cref="Comparison"/>. Reads only; writes nothing.</summary>
public static class RunComparer
{
    /// <summary>More runs than this make columns too narrow to read (a sweep's page has a row per run instead).</summary>
    public const int MaxRuns = ComparisonReport.MaxColumns;

    /// <summary>A run folder, a <c>results/&lt;name&gt;/latest</c> pointer, <c>latest:&lt;name&gt;</c> (under
    /// <paramref name="resultsRoot"/>) or a reference run folder.</summary>
    /// <exception cref="InvalidDataException">Nothing is a run there, or a latest pointer leads outside its folder.</exception>
    public static string Resolve(string reference, string resultsRoot)
    {
        if (reference.StartsWith(InitFrom.LatestPrefix, StringComparison.Ordinal))
        {
            string name = reference[InitFrom.LatestPrefix.Length..];
            if (!RunFolder.IsPlainName(name))
                throw new InvalidDataException($"'{reference}': after latest: comes an experiment name, not a path");
            return RunFolder.ResolveLatest(Path.Combine(resultsRoot, name))
                ?? throw new InvalidDataException($"'{reference}': no run of '{name}' under {resultsRoot}");
        }
        if (!Directory.Exists(reference)) throw new InvalidDataException($"{reference}: no such run folder");
        try { return RunFolder.Open(reference).Path; }
        catch (DirectoryNotFoundException e) { throw new InvalidDataException(e.Message, e); }
    }

    /// <summary>The reference of <paramref name="runDir"/>'s experiment: <paramref name="referenceOption"/> when it is a
    /// reference run folder itself, else <c>&lt;it&gt;/&lt;name&gt;</c>, by default <c>&lt;results&gt;/reference/&lt;name&gt;</c>.</summary>
    public static string Reference(string runDir, string? referenceOption, string resultsRoot)
    {
        string root = referenceOption ?? Path.Combine(resultsRoot, RunCatalog.ReferenceFolder);
        if (File.Exists(Path.Combine(root, RunFiles.RunInfo))) return Path.GetFullPath(root);
        string name = RunInfo.Read(runDir).Name;
        string folder = Path.Combine(root, name);
        if (!File.Exists(Path.Combine(folder, RunFiles.RunInfo)))
            throw new InvalidDataException($"no reference run of '{name}' in {folder} (references are written by "
                + $"`genlab verify --reference {root}`; --ref DIR names another folder)");
        return Path.GetFullPath(folder);
    }

    /// <summary>Reads the runs (labelled A, B, C… in order unless they carry labels) and compares their configs.</summary>
    /// <param name="maxRuns">At most this many: <see cref="MaxRuns"/> for <c>compare</c>, more for a sweep's page.</param>
    public static Comparison Build(IReadOnlyList<SelectedRun> selected, int maxRuns = MaxRuns)
    {
        if (selected.Count < 2 || selected.Count > maxRuns)
            throw new ArgumentOutOfRangeException(nameof(selected), selected.Count, $"a comparison takes 2 to {maxRuns} runs");
        var runs = selected.Select((s, i) => ComparedRun.Read(s.Path, s.Label ?? ((char)('A' + i)).ToString(), s.Display, s.IsReference, s.ReportHref)).ToList();
        var keys = selected.Select(s => ConfigKeys.Read(s.Path)).ToList();
        bool sameKind = runs.Select(r => r.Info.Kind).Distinct(StringComparer.Ordinal).Count() == 1;
        var notes = new List<string>();
        foreach (var (run, i) in runs.Select((r, i) => (r, i)))
        {
            if (keys[i].Count == 0) notes.Add($"{run.Label}: {RunFiles.Experiment} is missing or unreadable; its config is not compared.");
            if (run.Info.Status == RunStatus.Running)
                notes.Add($"{run.Label} is still running (step {run.Info.Step} of {run.Info.TotalSteps}): its numbers will change.");
            else if (run.Info.Status is RunStatus.Failed or RunStatus.Interrupted)
                notes.Add($"{run.Label} {(run.Info.Status == RunStatus.Failed ? "failed" : "was interrupted")} at step {run.Info.Step}"
                    + (run.Info.Error is { Length: > 0 } error ? $": {error}" : "."));
        }
        double smoothing = keys[0].Where(k => k.Key == "report.smoothing").Select(k => double.TryParse(k.Value,
            System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s is >= 0 and < 1 ? s : (double?)null)
            .FirstOrDefault() ?? new ReportOptions().Smoothing;
        return new Comparison
        {
            Runs = runs,
            Config = ConfigKeys.Compare(keys, sharedOnly: !sameKind),
            Rules = sameKind ? KindComparisons.For(runs[0].Info.Kind) : new SectionRules(),
            Smoothing = smoothing,
            Notes = notes,
        };
    }
}
