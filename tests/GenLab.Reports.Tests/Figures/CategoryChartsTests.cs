using GenLab.Reports.Figures;
using SkiaSharp;

namespace GenLab.Reports.Tests.Figures;

public sealed class CategoryChartsTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Heatmap_Scatter_Bars_Lines_AndGrid_RenderValidPngs()
    {
        string[] labels = ["a", "b", "c"];
        var values = new double[,] { { 0, 1, 2 }, { 1, 0, 1 }, { 2, 1, 0 } };
        byte[][] pngs =
        [
            CategoryCharts.Heatmap("distances", labels, values, "L2"),
            CategoryCharts.Scatter("latent", "z1", "z2", [("cor", 0, 1, "azul"), ("tipo", 1, 0, null)]),
            Charts.Bars("tokens", "tokens", labels, [3, 2, 1]),
            Charts.Lines("sweep", "x", "y", [("s", [1, 2], [2, 1])], [("ref", 1.5)], logX: true),
        ];
        foreach (byte[] png in pngs) Assert.Equal(PngSignature, png[..8]);
        byte[] grid = ImageGrid.Render([pngs[0], pngs[0], pngs[0]], columns: 2, scale: 1);
        Assert.Equal(PngSignature, grid[..8]);
        if (Environment.GetEnvironmentVariable("GENLAB_FIGURE_DEMO_DIR") is { } dir)
            for (int i = 0; i < pngs.Length; i++) File.WriteAllBytes(Path.Combine(dir, $"figure{i}.png"), pngs[i]);
    }

    [Fact]
    public void GroupedBars_AndClassHistogram_RenderValidPngs()
    {
        string[] items = ["lápis vermelho", "lápis azul", "caneta verde", "régua amarela"];
        byte[][] pngs =
        [
            Charts.GroupedBars("tokens", "tokens", ["a", "b"], [("x", [1, 2]), ("y", [2, 1])]),
            Charts.ClassHistogram("classes", items, [("real", [10, 10, 10, 10]), ("generated", [30, 0, 2, 0])]),
            Charts.ClassHistogram("empty set", items, [("generated", [0, 0, 0, 0])]),
        ];
        foreach (byte[] png in pngs) Assert.Equal(PngSignature, png[..8]);
        if (Environment.GetEnvironmentVariable("GENLAB_FIGURE_DEMO_DIR") is { } dir)
            for (int i = 0; i < pngs.Length; i++) File.WriteAllBytes(Path.Combine(dir, $"grouped{i}.png"), pngs[i]);
    }

    [Fact]
    public void GroupedBars_WhenASeriesDoesNotFitTheLabels_NamesIt()
    {
        var error = Assert.Throws<ArgumentException>(() => Charts.GroupedBars("t", "y", ["a", "b"], [("ok", [1, 2]), ("short", [1])]));
        Assert.Contains("series 'short' has 1 values for 2 labels", error.Message);
        Assert.Throws<ArgumentException>(() => Charts.GroupedBars("t", "y", ["a"], []));
    }

    [Fact]
    public void Heatmap_WhenMatrixIsNotSquarePerLabel_Throws()
    {
        Assert.Throws<ArgumentException>(() => CategoryCharts.Heatmap("x", ["a", "b"], new double[3, 3], "d"));
        Assert.Throws<ArgumentException>(() => ImageGrid.Render([], 2, 1));
    }

    /// <summary>The lecture's drawer labels: long, accented, and the reason cut labels showed.</summary>
    private static readonly string[] Drawer =
    [
        "lápis vermelho", "lápis azul", "lápis verde", "lápis amarelo", "caneta vermelha", "caneta azul", "caneta verde",
        "caneta amarela", "borracha vermelha", "borracha azul", "borracha verde", "borracha amarela", "régua vermelha",
        "régua azul", "régua verde", "régua amarela",
    ];

    [Fact]
    public void Heatmap_EveryCellSitsUnderItsLabel_NearEachOfItsFourEdges()
    {
        // A checkerboard: a cell shifted or resized by a fraction of its side shows its neighbour's colour near an edge.
        int n = Drawer.Length;
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) values[r, c] = (r + c) % 2;
        using var bitmap = SKBitmap.Decode(CategoryCharts.Heatmap("checkerboard", Drawer, values, "value"));
        var layout = CategoryCharts.HeatmapLayoutFor(Drawer);
        Assert.Equal(layout.Width, bitmap.Width);
        const int inset = 4, half = CategoryCharts.HeatmapCell / 2 - inset;
        var misplaced = new List<string>();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                var (x, y) = layout.CellCentre(r, c);
                bool bright = values[r, c] == 1;
                foreach (var (dx, dy) in new[] { (-half, 0), (half, 0), (0, -half), (0, half) })
                    if (IsBright(bitmap.GetPixel(x + dx, y + dy)) != bright) misplaced.Add($"({r},{c}) at {dx:+0;-0},{dy:+0;-0}");
            }
        Assert.True(misplaced.Count == 0, $"{misplaced.Count} cell edges show the wrong colour: {string.Join(" ", misplaced.Take(12))}");
    }

    [Fact]
    public void Heatmap_LongLabels_AreNotCut_AtTheBottomOrLeftEdge()
    {
        var values = new double[Drawer.Length, Drawer.Length];
        using var bitmap = SKBitmap.Decode(CategoryCharts.Heatmap("labels", Drawer, values, "value"));
        // A cut label leaves ink on the image's last rows (the rotated column labels) or first columns (the row labels).
        for (int x = 0; x < bitmap.Width; x++) Assert.True(IsBackground(bitmap.GetPixel(x, bitmap.Height - 2)), $"ink at the bottom edge, x = {x}");
        for (int y = 0; y < bitmap.Height; y++) Assert.True(IsBackground(bitmap.GetPixel(1, y)), $"ink at the left edge, y = {y}");
    }

    private static bool IsBright(SKColor c) => c.Red > 180 && c.Green > 180;     // viridis(1) = (253, 231, 37); viridis(0) = (68, 1, 84)

    private static bool IsBackground(SKColor c) => c.Red > 240 && c.Green > 240 && c.Blue > 240;
}
