using GenLab.Reports.Figures;

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
}
