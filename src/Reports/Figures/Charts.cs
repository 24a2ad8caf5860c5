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
