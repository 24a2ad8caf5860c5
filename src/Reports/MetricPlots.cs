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

    /// <summary>A title a person reads, not the metric's column name.</summary>
    internal static string TitleOf(string metric) => metric switch
    {
        "loss" => "Loss",
        "lr" => "Learning rate",
        "steps_per_s" => "Training speed",
        "tokens_per_s" => "Training throughput",
        "rss_mb" => "Memory use",
        "reconstruction_loss" => "Reconstruction loss",
        "kl_loss" => "KL divergence",
        _ => char.ToUpperInvariant(metric[0]) + metric[1..].Replace('_', ' '),
    };

    /// <summary>What a line stands for: the data split a loss was measured on, or for the timings and memory
    /// (split <c>perf</c>) what was measured.</summary>
    internal static string LegendOf(string split, string metric) => (split, metric) switch
    {
        ("train", "lr") => "schedule",
        ("train", _) => "training batches",
        ("train_eval", _) => "training set (evaluation)",
        ("val", _) => "validation set",
        ("test", _) => "test set",
        ("perf", "steps_per_s") => "optimizer steps (evaluation and checkpoints excluded)",
        ("perf", "tokens_per_s") => "tokens (evaluation and checkpoints excluded)",
        ("perf", "rss_mb") => "resident set size of the genlab process",
        _ => split,
    };

    /// <summary>ScottPlot's default sans font is often missing on Linux servers, and Skia then falls back to a serif.
    /// Take the first sans family the machine has; DejaVu ships with most distributions.</summary>
    internal static readonly string? SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Segoe UI", "Helvetica" }
        .FirstOrDefault(name => SkiaSharp.SKFontManager.Default.FontFamilies.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>The median gap between consecutive steps of the densest split: the logging interval that
    /// <see cref="ReportOptions.Smoothing"/> is a per-point weight for.</summary>
    private static double LoggingInterval(IEnumerable<IReadOnlyList<MetricRow>> splits)
    {
        var densest = splits.MaxBy(s => s.Count);
        if (densest is null || densest.Count < 2) return 1;
        var gaps = densest.Zip(densest.Skip(1), (a, b) => (double)(b.Step - a.Step)).Where(g => g > 0).Order().ToList();
        return gaps.Count == 0 ? 1 : gaps[gaps.Count / 2];
    }

    internal static string YLabelOf(string metric) => metric switch
    {
        "loss" => "cross-entropy loss (nats)",
        "lr" => "learning rate",
        "steps_per_s" => "training steps per second",
        "tokens_per_s" => "tokens per second",
        "rss_mb" => "resident memory (MB)",
        "reconstruction_loss" => "reconstruction loss (nats per image)",
        "kl_loss" => "KL(q(z|x) ‖ N(0, I)) (nats per image)",
        _ when metric.EndsWith("_per_s", StringComparison.Ordinal) => $"{metric[..^"_per_s".Length].Replace('_', ' ')} per second",
        _ when metric.EndsWith("_mb", StringComparison.Ordinal) => $"{metric[..^"_mb".Length].Replace('_', ' ')} (MB)",
        _ => metric.Replace('_', ' '),
    };

    private static byte[] RenderOne(string metric, string title, IEnumerable<MetricRow> rows, double smoothing)
    {
        var plot = new Plot();
        if (SansFont is not null) plot.Font.Set(SansFont);
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel(YLabelOf(metric));
        bool smooth = smoothing > 0 && MetricSummary.GoalOf(metric) != MetricGoal.None;
        var palette = new ScottPlot.Palettes.Category10();
        var splits = rows.GroupBy(r => r.Split)
            .OrderBy(g => MetricSummary.SplitOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Points: (IReadOnlyList<MetricRow>)g.OrderBy(r => r.Step).ToList())).ToList();
        double interval = LoggingInterval(splits.Select(s => s.Points));
        if (metric == "lr")  // lr spans decades (warmup from 0, decay to 1e-5); "8E-05" next to "0.0001" reads badly.
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => v == 0 ? "0" : v.ToString("0.0#E+0", System.Globalization.CultureInfo.InvariantCulture),
            };
        for (int i = 0; i < splits.Count; i++)
        {
            var points = splits[i].Points;
            double[] xs = points.Select(r => (double)r.Step).ToArray();
            double[] ys = points.Select(r => r.Value).ToArray();
            Color color = palette.GetColor(i);
            bool markers = points.Count <= MarkerLimit;
            if (smooth && points.Count > 1)
            {
                var raw = plot.Add.Scatter(xs, ys, color.WithAlpha(0.35));
                raw.LineWidth = 1;
                raw.MarkerSize = markers ? 5 : 0;
                raw.LegendText = $"{LegendOf(splits[i].Name, metric)} (raw)";
                var ema = plot.Add.Scatter(xs, Ema.Debiased(xs, ys, smoothing, interval), color);
                ema.LineWidth = 2;
                ema.MarkerSize = 0;
                ema.LegendText = $"{LegendOf(splits[i].Name, metric)} (EMA {smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            }
            else
            {
                var line = plot.Add.Scatter(xs, ys, color);
                line.LineWidth = 2;
                line.MarkerSize = markers ? 5 : 0;
                line.LegendText = LegendOf(splits[i].Name, metric);
            }
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
