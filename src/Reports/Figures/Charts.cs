using ScottPlot;

namespace GenLab.Reports.Figures;

/// <summary>Small charts that experiments put in their report sections. Same size, font and style as the metric plots.</summary>
public static class Charts
{
    /// <summary>A labelled bar per category, the value written above each bar.</summary>
    public static byte[] Bars(string title, string yLabel, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        if (labels.Count != values.Count) throw new ArgumentException("one value per label");
        var plot = NewPlot(title);
        var palette = new ScottPlot.Palettes.Category10();
        var bars = labels.Select((label, i) => new Bar
        {
            Position = i, Value = values[i], FillColor = palette.GetColor(i),
            Label = values[i].ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        var series = plot.Add.Bars(bars);
        series.ValueLabelStyle.FontSize = 13;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(MetricPlots.Width, MetricPlots.Height, ImageFormat.Png);
    }

    /// <summary>Bars side by side per category, one colour and legend entry per series — e.g. real against
    /// generated. Long or many category labels are written vertically.</summary>
    public static byte[] GroupedBars(string title, string yLabel, IReadOnlyList<string> labels,
        IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, string valueFormat = "0.##")
    {
        if (series.Count == 0) throw new ArgumentException("at least one series", nameof(series));
        if (series.FirstOrDefault(s => s.Values.Count != labels.Count) is { Name: { } name } bad)
            throw new ArgumentException($"series '{name}' has {bad.Values.Count} values for {labels.Count} labels", nameof(series));
        var plot = NewPlot(title);
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / series.Count;
        bool vertical = labels.Count > 8 || labels.Any(l => l.Length > 10);
        for (int s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            var bars = series[s].Values.Select((value, i) => new Bar
            {
                Position = i - 0.4 + width * (s + 0.5), Value = value, Size = width * 0.95, FillColor = color,
                // Values on the bars only while they fit; a legend and the axis carry the rest.
                Label = labels.Count * series.Count <= 24 ? value.ToString(valueFormat, System.Globalization.CultureInfo.InvariantCulture) : "",
            }).ToList();
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = series[s].Name;
            plotted.ValueLabelStyle.FontSize = 11;
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        if (vertical)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            // ScottPlot sizes the axis for horizontal labels; make room for the longest vertical one.
            plot.Axes.Bottom.MinimumSize = 12 + 7 * labels.Max(l => l.Length);
        }
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(MetricPlots.Width, vertical ? 620 : MetricPlots.Height, ImageFormat.Png);
    }

    /// <summary>How images spread over classes, as the share of each set per class so that sets of different sizes
    /// compare — a generator that collapses onto a few modes shows a few tall bars where the real set is flat.</summary>
    /// <param name="sets">Per set (e.g. "real", "generated"), its count per class in <paramref name="classNames"/> order.</param>
    public static byte[] ClassHistogram(string title, IReadOnlyList<string> classNames,
        IReadOnlyList<(string Name, IReadOnlyList<int> Counts)> sets)
    {
        var shares = sets.Select(set =>
        {
            double total = set.Counts.Sum();
            return (set.Name, (IReadOnlyList<double>)[.. set.Counts.Select(c => total > 0 ? c / total : 0)]);
        }).ToList();
        return GroupedBars(title, "share of images", classNames, shares, "0.00");
    }

    /// <summary>Lines with markers through (x, y) points, plus horizontal reference lines.</summary>
    public static byte[] Lines(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series,
        IReadOnlyList<(string Name, double Y)> references, bool logX = false)
    {
        var plot = NewPlot(title);
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (var (name, x, y) in series)
        {
            double[] xs = logX ? [.. x.Select(Math.Log10)] : [.. x];
            var scatter = plot.Add.Scatter(xs, y.ToArray());
            scatter.LegendText = name;
            scatter.Color = palette.GetColor(colour++);
            scatter.MarkerSize = 7;
            scatter.LineWidth = 2;
        }
        foreach (var (name, y) in references)
        {
            var line = plot.Add.HorizontalLine(y);
            line.LegendText = $"{name} ({y.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})";
            line.Color = palette.GetColor(colour++);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
        }
        if (logX)
        {
            var ticks = series.SelectMany(s => s.X).Distinct().Order().ToArray();
            plot.Axes.Bottom.SetTicks([.. ticks.Select(Math.Log10)], [.. ticks.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture))]);
        }
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(MetricPlots.Width, MetricPlots.Height, ImageFormat.Png);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        if (MetricPlots.SansFont is not null) plot.Font.Set(MetricPlots.SansFont);
        plot.Title(title);
        return plot;
    }
}
