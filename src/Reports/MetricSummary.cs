using GenLab.Reports.RunFolder;

namespace GenLab.Reports;

public enum MetricGoal { None, Minimize, Maximize }

/// <summary>Last and best finite value of one split/metric series. Best is null where "best" means nothing
/// (learning rate, throughput).</summary>
public sealed record MetricSummary(
    string Split, string Metric, int Count, double Last, long LastStep, double? Best, long? BestStep, IReadOnlyList<long> NonFiniteSteps)
{
    /// <summary>Names containing "acc" are maximised; loss-like names (loss, perplexity, error, nll, bits per
    /// dim/char) are minimised; anything else has no best.</summary>
    public static MetricGoal GoalOf(string metric)
    {
        string m = metric.ToLowerInvariant();
        if (m.Contains("acc")) return MetricGoal.Maximize;
        string[] lossLike = ["loss", "ppl", "perplexity", "err", "nll", "bpd", "bpc"];
        return lossLike.Any(m.Contains) ? MetricGoal.Minimize : MetricGoal.None;
    }

    /// <summary>One summary per (split, metric), ordered train, val, then other splits by name. Ties for best keep
    /// the earliest step; the last value is the one at the highest step, the later row in the file on a tie.</summary>
    public static IReadOnlyList<MetricSummary> Summarize(IEnumerable<MetricRow> rows)
    {
        var summaries = new List<MetricSummary>();
        foreach (var group in rows.GroupBy(r => (r.Split, r.Metric)))
        {
            var finite = group.Where(r => double.IsFinite(r.Value)).OrderBy(r => r.Step).ToList();  // stable
            var nonFinite = group.Where(r => !double.IsFinite(r.Value)).Select(r => r.Step).ToList();
            if (finite.Count == 0)
            {
                summaries.Add(new(group.Key.Split, group.Key.Metric, 0, double.NaN, 0, null, null, nonFinite));
                continue;
            }
            MetricRow last = finite[^1];
            MetricGoal goal = GoalOf(group.Key.Metric);
            MetricRow? best = goal switch
            {
                MetricGoal.Minimize => finite.Aggregate((b, r) => r.Value < b.Value ? r : b),
                MetricGoal.Maximize => finite.Aggregate((b, r) => r.Value > b.Value ? r : b),
                _ => null,
            };
            summaries.Add(new(group.Key.Split, group.Key.Metric, finite.Count, last.Value, last.Step,
                best?.Value, best?.Step, nonFinite));
        }
        return summaries.OrderBy(s => MetricOrder(s.Metric)).ThenBy(s => s.Metric, StringComparer.Ordinal)
            .ThenBy(s => SplitOrder(s.Split)).ThenBy(s => s.Split, StringComparer.Ordinal).ToList();
    }

    internal static int SplitOrder(string split) => split switch { "train" => 0, "val" => 1, _ => 2 };

    internal static int MetricOrder(string metric) => metric switch { "loss" => 0, "lr" => 1, _ => 2 };
}
