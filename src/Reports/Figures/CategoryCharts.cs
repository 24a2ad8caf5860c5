using System.Globalization;
using ScottPlot;

namespace GenLab.Reports.Figures;

/// <summary>Charts of labelled points and of distance matrices, for the embeddings lab.</summary>
public static class CategoryCharts
{
    /// <summary>A matrix of values as coloured cells with the row and column labels, and each value written in its cell
    /// when there is room.</summary>
    public static byte[] Heatmap(string title, IReadOnlyList<string> labels, double[,] values, string colorbarLabel)
    {
        int n = labels.Count;
        if (values.GetLength(0) != n || values.GetLength(1) != n) throw new ArgumentException("a square matrix with one row per label");
        var plot = NewPlot(title);
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // ScottPlot draws row 0 at the top: cell (row r, column c) is centred at x = c, y = n-1-r.
        heatmap.Extent = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        var colorbar = plot.Add.ColorBar(heatmap);
        colorbar.Label = colorbarLabel;
        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. labels]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], [.. labels]);
        if (n <= 16)
        {
            double max = values.Cast<double>().Max(), min = values.Cast<double>().Min();
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++)
                {
                    var text = plot.Add.Text(values[r, c].ToString("0.##", CultureInfo.InvariantCulture), c, n - 1 - r);
                    text.LabelFontSize = 11;
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontColor = values[r, c] > (min + max) / 2 ? Colors.Black : Colors.White;
                }
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        return plot.GetImageBytes(760, 720, ImageFormat.Png);
    }

    /// <summary>Points coloured by category (one legend entry per category), each optionally labelled with a word.</summary>
    public static byte[] Scatter(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Category, double X, double Y, string? Label)> points)
    {
        var plot = NewPlot(title);
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (var group in points.GroupBy(p => p.Category))
        {
            var color = palette.GetColor(colour++);
            var scatter = plot.Add.ScatterPoints(group.Select(p => p.X).ToArray(), group.Select(p => p.Y).ToArray());
            scatter.LegendText = group.Key;
            scatter.Color = color;
            scatter.MarkerSize = 7;
            foreach (var p in group.Where(p => p.Label is not null))
            {
                var text = plot.Add.Text(p.Label!, p.X, p.Y);
                text.LabelFontSize = 11;
                text.LabelFontColor = color;
                text.LabelOffsetX = 5;
                text.LabelOffsetY = -5;
            }
        }
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(MetricPlots.Width, 620, ImageFormat.Png);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        if (MetricPlots.SansFont is not null) plot.Font.Set(MetricPlots.SansFont);
        plot.Title(title);
        return plot;
    }
}
