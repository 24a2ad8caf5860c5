using GenLab.Reports.RunFolder;
using ScottPlot;

namespace GenLab.Reports.Compare;

/// <summary>One PNG per metric with every run on the same axes: a colour per run, a line style per split (validation
/// solid, training dashed, training-set evaluation dotted). Training batches are drawn as their debiased EMA only:
/// two noisy raw curves on one plot hide each other.</summary>
public static class CurveOverlay
{
    private const int MarkerLimit = 60;

    /// <summary>Metrics that at least two runs logged, in the report's order.</summary>
    public static IReadOnlyList<PlotImage> Render(IReadOnlyList<ComparedRun> runs, double smoothing)
    {
        var metrics = runs.SelectMany(r => r.Metrics.Where(m => double.IsFinite(m.Value)).Select(m => m.Metric).Distinct())
            .GroupBy(m => m).Where(g => g.Count() >= 2).Select(g => g.Key)
            .OrderBy(MetricSummary.MetricOrder).ThenBy(m => m, StringComparer.Ordinal).ToList();
        return metrics.Select(metric =>
        {
            string title = $"{MetricPlots.TitleOf(metric)}: {string.Join(" vs ", runs.Select(r => r.Label))}";
            return new PlotImage("curve-" + MetricPlots.FileNameOf(metric), metric, title, RenderOne(runs, metric, title, smoothing));
        }).ToList();
    }

    internal static LinePattern PatternOf(string split) => split switch
    {
        "val" or "test" => LinePattern.Solid,
        "train" => LinePattern.Dashed,
        "train_eval" => LinePattern.Dotted,
        _ => LinePattern.DenselyDashed,
    };

    private static byte[] RenderOne(IReadOnlyList<ComparedRun> runs, string metric, string title, double smoothing)
    {
        var plot = new Plot();
        if (MetricPlots.SansFont is not null) plot.Font.Set(MetricPlots.SansFont);
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel(MetricPlots.YLabelOf(metric));
        // Ten colours tell up to ten runs apart; a sweep of more gets twenty (light and dark of each).
        IPalette palette = runs.Count <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        bool goal = MetricSummary.GoalOf(metric) != MetricGoal.None;
        for (int i = 0; i < runs.Count; i++)
        {
            var splits = runs[i].Metrics.Where(r => r.Metric == metric && double.IsFinite(r.Value)).GroupBy(r => r.Split)
                .OrderBy(g => MetricSummary.SplitOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal);
            foreach (var split in splits)
            {
                var points = split.OrderBy(r => r.Step).ToList();
                double[] xs = points.Select(r => (double)r.Step).ToArray();
                double[] ys = points.Select(r => r.Value).ToArray();
                bool smooth = goal && smoothing > 0 && split.Key == "train" && points.Count > 1;
                if (smooth) ys = Ema.Debiased(xs, ys, smoothing, Interval(xs));
                var line = plot.Add.Scatter(xs, ys, palette.GetColor(i));
                line.LineWidth = 2;
                line.LinePattern = PatternOf(split.Key);
                line.MarkerSize = !smooth && points.Count <= MarkerLimit ? 5 : 0;
                line.LegendText = $"{runs[i].Label} · {MetricPlots.LegendOf(split.Key, metric)}" + (smooth ? " (EMA)" : "");
            }
        }
        if (metric == "lr")
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => v == 0 ? "0" : v.ToString("0.0#E+0", System.Globalization.CultureInfo.InvariantCulture),
            };
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(MetricPlots.Width, MetricPlots.Height, ImageFormat.Png);
    }

    /// <summary>The median gap between logged steps: the interval the smoothing weight is given per.</summary>
    private static double Interval(double[] steps)
    {
        var gaps = steps.Zip(steps.Skip(1), (a, b) => b - a).Where(g => g > 0).Order().ToList();
        return gaps.Count == 0 ? 1 : gaps[gaps.Count / 2];
    }
}
