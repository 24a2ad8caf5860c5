using System.Globalization;
using ScottPlot;

namespace GenLab.Reports.Figures;

/// <summary>Charts of labelled points and of distance matrices, for the embeddings lab.</summary>
public static class CategoryCharts
{
    /// <summary>Side of one heatmap cell in pixels: room for a value like "1.41" at 11 px.</summary>
    public const int HeatmapCell = 40;

    /// <summary>Pixels around the cells: the title above, the colour bar (bar, ticks, its title) to the right.</summary>
    private const int TitleHeight = 44, ColorBarSpace = 120, TickLabelFontSize = 12;

    /// <summary>A matrix of values as coloured cells with the row and column labels, and each value written in its cell
    /// when there is room. Every cell is <see cref="HeatmapCell"/> pixels square and centred on its label's tick; the
    /// figure grows with the longest label, so no label is cut.</summary>
    public static byte[] Heatmap(string title, IReadOnlyList<string> labels, double[,] values, string colorbarLabel)
    {
        int n = labels.Count;
        if (values.GetLength(0) != n || values.GetLength(1) != n) throw new ArgumentException("a square matrix with one row per label");
        var layout = HeatmapLayoutFor(labels);
        var plot = NewPlot(title);
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // No Extent: ScottPlot reads an Extent as the centres of the outer cells and widens it by one cell, which made
        // cells 16/15 of a label spacing wide and cut the first one in half. By default cell (row r, column c) spans
        // x ∈ [c − ½, c + ½] and, row 0 at the top, y ∈ [n − 1 − r − ½, n − 1 − r + ½]: centred on the ticks below.
        var colorbar = plot.Add.ColorBar(heatmap);
        colorbar.Label = colorbarLabel;
        // Wide enough for the bar, its tick labels and its rotated title side by side (ScottPlot's own measure leaves
        // the title on top of the ticks).
        colorbar.MinimumSize = colorbar.MaximumSize = ColorBarSpace - 20;
        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. labels]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickLabelFontSize;
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], [.. labels]);
        plot.Axes.Left.TickLabelStyle.FontSize = TickLabelFontSize;
        plot.Axes.Bottom.MinimumSize = plot.Axes.Bottom.MaximumSize = layout.Padding.Bottom;
        plot.Axes.Left.MinimumSize = plot.Axes.Left.MaximumSize = layout.Padding.Left;
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
        plot.Layout.Fixed(layout.Padding);
        return plot.GetImageBytes(layout.Width, layout.Height, ImageFormat.Png);
    }

    /// <summary>Where a heatmap of <paramref name="labels"/> puts its cells: the image size and the padding around the
    /// n × n cells. Tests use it to find a cell's pixels.</summary>
    public static HeatmapLayout HeatmapLayoutFor(IReadOnlyList<string> labels)
    {
        int n = labels.Count;
        // Room for the longest label, measured in the font the labels are drawn with, plus the tick and a gap.
        int labelSpace = (int)Math.Ceiling(labels.Select(MeasureTickLabel).DefaultIfEmpty(0).Max()) + 16;
        var padding = new PixelPadding(labelSpace, ColorBarSpace, labelSpace, TitleHeight);
        int side = n * HeatmapCell;
        return new HeatmapLayout((int)(padding.Left + side + padding.Right), (int)(padding.Top + side + padding.Bottom), padding);
    }

    private static float MeasureTickLabel(string label)
    {
        using var typeface = SkiaSharp.SKTypeface.FromFamilyName(MetricPlots.SansFont ?? "DejaVu Sans");
        using var font = new SkiaSharp.SKFont(typeface, TickLabelFontSize);
        return font.MeasureText(label);
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

/// <summary>A heatmap image's size and the padding around its cells (left and bottom hold the labels).</summary>
public sealed record HeatmapLayout(int Width, int Height, PixelPadding Padding)
{
    /// <summary>The pixel at the centre of cell (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public (int X, int Y) CellCentre(int row, int column) =>
        ((int)(Padding.Left + (column + 0.5) * CategoryCharts.HeatmapCell), (int)(Padding.Top + (row + 0.5) * CategoryCharts.HeatmapCell));
}
