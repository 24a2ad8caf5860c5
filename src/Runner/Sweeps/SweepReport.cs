using GenLab.Reports.Compare;
using GenLab.Runner.Compare;

namespace GenLab.Runner.Sweeps;

/// <summary>A sweep's comparison page, <c>report/index.html</c> and <c>README.md</c> in its folder: what <c>genlab
/// compare</c> writes for its runs, with a row per run that has the swept keys as columns and the best run marked. Runs are
/// labelled by their index in the sweep (#0, #1, …), as their Slurm array tasks are.</summary>
public static class SweepReport
{
    /// <summary>Writes the page of every run that has a run folder.</summary>
    /// <returns>The index.html written; null when fewer than two runs have a folder (nothing to compare).</returns>
    public static string? Write(SweepFolder sweep, IReadOnlyList<EntryStatus> statuses)
    {
        var withRuns = statuses.Where(s => s.RunDir is not null && Directory.Exists(s.RunDir)).ToList();
        if (withRuns.Count < 2) return null;
        var selected = withRuns.Select(s => new SelectedRun(s.RunDir!, SweepStatus.Display(s.RunDir!), IsReference: false,
            Commands.CompareCommand.ReportHref(s.RunDir!, sweep.Report), $"#{s.Entry.Index}")).ToList();
        var manifest = sweep.Manifest;
        var comparison = RunComparer.Build(selected, maxRuns: SweepSpec.MaxRuns) with
        {
            Sweep = new SweepColumns($"{manifest.Name} over {string.Join(", ", manifest.Keys)}", manifest.Keys,
                [.. withRuns.Select(s => s.Entry.Values)]),
        };
        ComparisonReport.Write(sweep.Report, comparison);
        return Path.Combine(sweep.Report, ComparisonReport.Html);
    }
}
