using System.Globalization;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Compare;

/// <summary>A config key whose value is not the same in every run; a null value: the run has no such key.</summary>
public sealed record ConfigDifference(string Key, IReadOnlyList<string?> Values);

/// <summary>What the runs' configs say, as the runner compared them (it reads experiment YAML).</summary>
/// <param name="Differences">Only the keys whose values differ, in the first run's key order.</param>
/// <param name="SameKeys">How many keys every run has with one value.</param>
public sealed record ConfigComparison(IReadOnlyList<ConfigDifference> Differences, int SameKeys);

/// <summary>One row of the environment table: a property that matters when numbers disagree, and each run's value.</summary>
public sealed record EnvironmentDifference(string Property, IReadOnlyList<string> Values);

/// <summary>One (split, metric) series of every run: final and best value, with the better run marked.</summary>
public sealed record MetricComparison(string Split, string Metric, IReadOnlyList<MetricSummary?> Runs)
{
    public MetricGoal Goal => MetricSummary.GoalOf(Metric);

    /// <summary>Index of the run with the better final value; null when there is no better (no goal, a tie, one run).</summary>
    public int? BetterFinal => Better(Runs.Select(s => s is { Count: > 0 } ? s.Last : (double?)null).ToList(), Goal);

    public int? BetterBest => Better(Runs.Select(s => s?.Best).ToList(), Goal);

    internal static int? Better(IReadOnlyList<double?> values, MetricGoal goal)
    {
        var present = values.Select((v, i) => (v, i)).Where(x => x.v is { } d && double.IsFinite(d)).ToList();
        if (goal == MetricGoal.None || present.Count < 2) return null;
        double best = goal == MetricGoal.Minimize ? present.Min(x => x.v!.Value) : present.Max(x => x.v!.Value);
        var winners = present.Where(x => x.v == best).ToList();
        return winners.Count == 1 ? winners[0].i : null;
    }
}

/// <summary>What a sweep varied, for its comparison page: the swept keys and each run's value of them (null: the run
/// keeps the experiment file's value).</summary>
/// <param name="Title">The sweep as the page names it ("mlp-char over training.lr").</param>
public sealed record SweepColumns(string Title, IReadOnlyList<string> Keys, IReadOnlyList<IReadOnlyList<string?>> Values)
{
    /// <summary>The completed run with the best of the metric the runs track as best (<see cref="RunInfo.Best"/>: lowest
    /// validation loss, highest accuracy); null when no completed run has one, their metrics differ, or the best is a tie.</summary>
    public static int? Best(IReadOnlyList<RunInfo> runs)
    {
        var tracked = runs.Select((r, i) => (r.Best, i)).Where(x => runs[x.i].Status == RunStatus.Completed && x.Best is not null).ToList();
        if (tracked.Count == 0 || tracked.Select(x => (x.Best!.Split, x.Best.Metric)).Distinct().Count() > 1) return null;
        var goal = MetricSummary.GoalOf(tracked[0].Best!.Metric);
        var values = runs.Select((_, i) => tracked.Where(x => x.i == i).Select(x => (double?)x.Best!.Value).FirstOrDefault()).ToList();
        return tracked.Count == 1 ? tracked[0].i : MetricComparison.Better(values, goal);
    }
}

/// <summary>Everything a comparison page shows, computed from the runs; the HTML and Markdown renderers only format it.</summary>
public sealed record Comparison
{
    public required IReadOnlyList<ComparedRun> Runs { get; init; }
    public required ConfigComparison Config { get; init; }
    public SectionRules Rules { get; init; } = new();
    /// <summary>EMA weight the training curves are smoothed with (the first run's <c>report.smoothing</c>).</summary>
    public double Smoothing { get; init; } = new ReportOptions().Smoothing;
    /// <summary>Caveats the runner adds (different kinds, a run still going).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Set for a sweep's page: the runs are one experiment's with the swept keys changed.</summary>
    public SweepColumns? Sweep { get; init; }

    public bool SameKind => Runs.Select(r => r.Info.Kind).Distinct(StringComparer.Ordinal).Count() == 1;

    /// <summary>Series that at least two runs have, in the report's order (loss first, train before val).</summary>
    public IReadOnlyList<MetricComparison> Metrics()
    {
        var summaries = Runs.Select(r => MetricSummary.Summarize(r.Metrics)
            .ToDictionary(s => (s.Split, s.Metric))).ToList();
        return summaries.SelectMany(s => s.Values).Select(s => (s.Split, s.Metric)).Distinct()
            .Where(key => summaries.Count(s => s.ContainsKey(key)) >= 2)
            .OrderBy(k => MetricSummary.MetricOrder(k.Metric)).ThenBy(k => k.Metric, StringComparer.Ordinal)
            .ThenBy(k => MetricSummary.SplitOrder(k.Split)).ThenBy(k => k.Split, StringComparer.Ordinal)
            .Select(k => new MetricComparison(k.Split, k.Metric, summaries.Select(s => s.GetValueOrDefault(k)).ToList()))
            .ToList();
    }

    /// <summary>Named results (results.json) that at least one run reports, sorted by name.</summary>
    public IReadOnlyList<string> ResultNames() =>
        Runs.SelectMany(r => r.Results.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The properties that explain a difference in numbers when the config is the same: the code (commit and
    /// the source key Reproduce compares), the data, threads, backend and CPU, then the libraries. Only rows where the
    /// runs differ.</summary>
    public IReadOnlyList<EnvironmentDifference> Environment() =>
        EnvironmentRows().Where(row => row.Values.Distinct(StringComparer.Ordinal).Count() > 1).ToList();

    /// <summary>The four properties the comparison names when they agree.</summary>
    public static readonly string[] KeyEnvironment = ["code commit", "threads", "backend", "CPU"];

    internal IReadOnlyList<EnvironmentDifference> EnvironmentRows()
    {
        string Row(RunInfo r, string property)
        {
            var env = r.Environment;
            return property switch
            {
                "code commit" => r.Git is { } g ? g.Commit[..Math.Min(12, g.Commit.Length)] + (g.Dirty ? " (uncommitted changes)" : "") : "—",
                "code key" => r.InputHashes.TryGetValue("code", out string? code) ? code[..Math.Min(12, code.Length)] : "—",
                "data" => string.Join(", ", r.InputHashes.Where(h => h.Key.StartsWith("data:", StringComparison.Ordinal))
                    .Select(h => $"{h.Key["data:".Length..]} {h.Value[..Math.Min(8, h.Value.Length)]}")) is { Length: > 0 } d ? d : "—",
                "threads" => env.TorchThreads.ToString(CultureInfo.InvariantCulture),
                "backend" => $"{r.Device} ({(env.TorchBackend.Length > 0 ? env.TorchBackend : "?")})",
                "CPU" => env.CpuModel.Length > 0 ? $"{env.CpuModel} ({env.Cores} cores)" : "—",
                "MKL on AMD" => env.MklOnAmd ?? "—",
                "tensor memory" => env.TensorFill ?? "—",
                "TorchSharp" => $"{env.TorchSharp} (libtorch {env.LibTorch})",
                ".NET" => env.DotNet,
                "OS" => env.Os,
                _ => "—",
            };
        }
        string[] properties = ["code commit", "code key", "data", "threads", "backend", "CPU", "MKL on AMD", "tensor memory", "TorchSharp", ".NET", "OS"];
        return properties.Select(p => new EnvironmentDifference(p, Runs.Select(r => Row(r.Info, p)).ToList())).ToList();
    }

    /// <summary>Sections (by slug) that at least two runs wrote, in order; each with every run's parts.</summary>
    internal IReadOnlyList<(string Slug, IReadOnlyList<IReadOnlyList<SectionPart>?> Runs)> Sections()
    {
        static string SlugOf(ReportSection s) => s.Slug.Length > 3 && char.IsAsciiDigit(s.Slug[0]) && s.Slug[2] == '-' ? s.Slug[3..] : s.Slug;
        var bySlug = Runs.Select(r => r.Sections.GroupBy(SlugOf).ToDictionary(g => g.Key, g => g.First())).ToList();
        return Runs.SelectMany(r => r.Sections).Select(SlugOf).Distinct()
            .Where(slug => !Rules.Skip.Contains(slug) && bySlug.Count(s => s.ContainsKey(slug)) >= 2)
            .Select(slug => (slug, (IReadOnlyList<IReadOnlyList<SectionPart>?>)bySlug
                .Select(s => s.TryGetValue(slug, out var section) ? SectionParts.Parse(section) : null).ToList()))
            .ToList();
    }

    /// <summary>Slugs of sections only one run wrote (and not skipped).</summary>
    public IReadOnlyList<(string Label, string Slug)> UnpairedSections()
    {
        var all = Sections().Select(s => s.Slug).ToHashSet(StringComparer.Ordinal);
        return Runs.SelectMany(r => r.Sections.Select(s => (r.Label, Slug: s.Slug.Length > 3 && s.Slug[2] == '-' ? s.Slug[3..] : s.Slug)))
            .Where(x => !all.Contains(x.Slug) && !Rules.Skip.Contains(x.Slug)).ToList();
    }
}
