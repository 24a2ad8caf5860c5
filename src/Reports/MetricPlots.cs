using GenLab.Reports.RunFolder;
using ScottPlot;

namespace GenLab.Reports;

/// <summary>A rendered chart: the PNG bytes and the name it is written under in <c>report/</c>.</summary>
public sealed record PlotImage(string FileName, string Metric, string Title, byte[] Png);

/// <summary>One PNG per metric name, every split on it. Loss-like and accuracy curves get a debiased EMA drawn
/// solid over the faded raw values; lr and throughput are drawn raw, since smoothing them only adds lag.</summary>
public static class MetricPlots
{
    public const int Width = 900, Height = 500;

    /// <summary>Below this many points a raw series also gets markers, so sparse eval curves and single points show.</summary>
    private const int MarkerLimit = 60;

    public static IReadOnlyList<PlotImage> Render(IReadOnlyList<MetricRow> rows, double smoothing)
    {
        var images = new List<PlotImage>();
        var byMetric = rows.Where(r => double.IsFinite(r.Value)).GroupBy(r => r.Metric)
            .OrderBy(g => MetricSummary.MetricOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var metric in byMetric)
        {
            string title = TitleOf(metric.Key);
            images.Add(new(FileNameOf(metric.Key), metric.Key, title, RenderOne(metric.Key, title, metric, smoothing)));
        }
        return images;
    }

    public static string FileNameOf(string metric) =>
        new string(metric.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray()) + ".png";

    private static string TitleOf(string metric) => metric switch
    {
        "loss" => "Loss",
        "lr" => "Learning rate",
        _ => metric,
    };

    private static string YLabelOf(string metric) => metric switch
    {
        "loss" => "cross-entropy loss (nats)",
        "lr" => "learning rate",
        "steps_per_s" => "throughput (steps/s)",
        "tokens_per_s" => "throughput (tokens/s)",
        _ when metric.EndsWith("_per_s", StringComparison.Ordinal) => $"{metric[..^"_per_s".Length]} per second",
        _ => metric,
    };

    private static byte[] RenderOne(string metric, string title, IEnumerable<MetricRow> rows, double smoothing)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel(YLabelOf(metric));
        bool smooth = smoothing > 0 && MetricSummary.GoalOf(metric) != MetricGoal.None;
        var palette = new ScottPlot.Palettes.Category10();
        var splits = rows.GroupBy(r => r.Split)
            .OrderBy(g => MetricSummary.SplitOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        for (int i = 0; i < splits.Count; i++)
        {
            var points = splits[i].OrderBy(r => r.Step).ToList();
            double[] xs = points.Select(r => (double)r.Step).ToArray();
            double[] ys = points.Select(r => r.Value).ToArray();
            Color color = palette.GetColor(i);
            bool markers = points.Count <= MarkerLimit;
            if (smooth && points.Count > 1)
            {
                var raw = plot.Add.Scatter(xs, ys, color.WithAlpha(0.35));
                raw.LineWidth = 1;
                raw.MarkerSize = markers ? 5 : 0;
                raw.LegendText = $"{splits[i].Key} (raw)";
                var ema = plot.Add.Scatter(xs, Ema.Debiased(ys, smoothing), color);
                ema.LineWidth = 2;
                ema.MarkerSize = 0;
                ema.LegendText = $"{splits[i].Key} (EMA {smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            }
            else
            {
                var line = plot.Add.Scatter(xs, ys, color);
                line.LineWidth = 2;
                line.MarkerSize = markers ? 5 : 0;
                line.LegendText = splits[i].Key;
            }
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
