using System.Buffers.Binary;
using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;
using static GenLab.Reports.Tests.FakeRun;

namespace GenLab.Reports.Tests;

public class RunReportTests
{
    private static readonly ReportOptions Options = new();

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is too short to be a PNG");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static string Html(FakeRun run) => File.ReadAllText(Path.Combine(run.ReportDir, RunReport.Html));
    private static string Readme(FakeRun run) => File.ReadAllText(Path.Combine(run.ReportDir, RunReport.Markdown));

    [Fact]
    public void Write_RealisticRun_WritesHtmlReadmeAndOnePngPerMetric()
    {
        // GENLAB_REPORT_DEMO_DIR keeps the rendered report for a human to look at.
        string? demo = Environment.GetEnvironmentVariable("GENLAB_REPORT_DEMO_DIR");
        if (demo is not null && Directory.Exists(demo)) Directory.Delete(demo, recursive: true);
        var run = new FakeRun(demo).WithInfo(Info()).WithMetrics(RealisticMetrics()).WithConfig(Yaml)
            .WithSamples(new SampleRecord { Step = 100, Texts = ["ROMEO: hello"] }, new SampleRecord { Step = 300, Texts = ["JULIET: bye"] });
        try
        {
            var written = RunReport.Write(run.Dir, Options).Select(p => Path.GetFileName(p)).ToList();

            Assert.Equal(["loss.png", "lr.png", "steps_per_s.png", "README.md", "index.html"], written);
            foreach (string png in written.Where(f => f.EndsWith(".png")))
                Assert.Equal((MetricPlots.Width, MetricPlots.Height), PngSize(Path.Combine(run.ReportDir, png)));
            Assert.Empty(Directory.GetFiles(run.ReportDir, "*.tmp"));
        }
        finally { if (demo is null) run.Dispose(); }
    }

    [Fact]
    public void Write_Html_EmbedsEveryPlotAndNoExternalResources()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics(RealisticMetrics()).WithConfig(Yaml);
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        var images = Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(3, images.Count);
        foreach (Match m in images) Assert.Equal(0x89, Convert.FromBase64String(m.Groups[1].Value)[0]);
        Assert.DoesNotMatch("(src|href)=\"(http|//|[a-z_]+\\.png)", html);
        Assert.Contains("<style>", html);
    }

    [Fact]
    public void Write_Html_ShowsLastAndBestWithFourDecimalsForLoss()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics([
            Row(0, "train", "loss", 4.17), Row(10, "train", "loss", 2.123456), Row(20, "train", "loss", 2.5),
            Row(10, "val", "loss", 2.6), Row(20, "val", "loss", 2.55), Row(20, "train", "lr", 0.0003)]);
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        Assert.Contains("<td>train</td><td>loss</td><td class=\"num\">2.5000</td><td class=\"num\">20</td><td class=\"num\">2.1235</td><td class=\"num\">10</td>", html);
        Assert.Contains("<td>val</td><td>loss</td><td class=\"num\">2.5500</td><td class=\"num\">20</td><td class=\"num\">2.5500</td><td class=\"num\">20</td>", html);
        Assert.Contains("<td>train</td><td>lr</td><td class=\"num\">0.0003</td><td class=\"num\">20</td><td class=\"num\">—</td>", html);
        Assert.Contains("| train | loss | 2.5000 | 20 | 2.1235 | 10 |", Readme(run));
    }

    [Fact]
    public void Write_Html_ShowsHeaderEnvironmentAndConfig()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics(RealisticMetrics()).WithConfig(Yaml);
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        Assert.Contains("<h1>tiny-gpt</h1>", html);
        Assert.Contains("<span class=\"status completed\">completed</span>", html);
        Assert.Contains("1h 02m 05s", html);
        Assert.Contains("300 / 300", html);
        Assert.Contains("NVIDIA H100 80GB HBM3", html);
        Assert.Contains("0123456789abcdef0123456789abcdef01234567 (dirty", html);
        Assert.Contains("2.10.0 (cuda)", html);
        Assert.Contains("genlab run &#39;configs/tiny gpt.yaml&#39; --set train.lr=3e-4", html);
        Assert.Contains("<pre>kind: gpt\nmodel:", html);
    }

    [Fact]
    public void Write_WhenSampleHoldsScript_EscapesItInHtmlAndReadme()
    {
        using var run = new FakeRun().WithInfo(Info(name: "x<b>")).WithMetrics([Row(1, "train", "loss", 1)])
            .WithConfig("note: \"</pre><script>alert(2)</script>\"\n")
            .WithSamples(new SampleRecord { Step = 1, Texts = ["<script>alert(1)</script> & more"] });
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", html);
        Assert.Contains("<h1>x&lt;b&gt;</h1>", html);
        Assert.Contains("# x&lt;b&gt;", Readme(run));
    }

    [Fact]
    public void Write_Samples_NewestStepFirstInCollapsibleSections()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics([Row(1, "train", "loss", 1)]).WithSamples(
            new SampleRecord { Step = 100, Texts = ["first"] }, new SampleRecord { Step = 200, Texts = ["second a", "second b"] });
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        Assert.Contains("<details open><summary>step 200</summary>", html);
        Assert.Contains("<details><summary>step 100</summary>", html);
        Assert.True(html.IndexOf("second b", StringComparison.Ordinal) < html.IndexOf("first", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_Readme_ReferencesPngsRelatively()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics(RealisticMetrics()).WithConfig(Yaml);
        RunReport.Write(run.Dir, Options);
        string readme = Readme(run);

        Assert.Contains("![loss](loss.png)", readme);
        Assert.Contains("![lr](lr.png)", readme);
        Assert.Contains("(steps_per_s.png)", readme);
        Assert.Contains("```yaml\nkind: gpt", readme);
        Assert.Contains("|---|---|--:|--:|--:|--:|", readme);
    }

    [Fact]
    public void Write_WhenMetricsEmpty_SaysNoMetricsYet()
    {
        using var run = new FakeRun().WithInfo(Info(RunStatus.Running));
        var written = RunReport.Write(run.Dir, Options).Select(p => Path.GetFileName(p));

        Assert.Equal(["README.md", "index.html"], written);
        Assert.Contains("No metrics yet", Html(run));
        Assert.Contains("No metrics yet", Readme(run));
        Assert.Contains("<span class=\"status running\">running</span>", Html(run));
        Assert.Contains("No samples yet", Html(run));
        Assert.Contains("experiment.yaml not found", Html(run));
    }

    [Fact]
    public void Write_WhenSinglePoint_StillPlotsIt()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics([Row(0, "train", "loss", 4.17)]);
        RunReport.Write(run.Dir, Options);

        Assert.Equal((MetricPlots.Width, MetricPlots.Height), PngSize(Path.Combine(run.ReportDir, "loss.png")));
        Assert.Contains("4.1700", Html(run));
    }

    [Fact]
    public void Write_WhenValuesNonFinite_SkipsThemAndNotesIt()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics([
            Row(0, "train", "loss", 4), Row(5, "train", "loss", double.NaN), Row(10, "train", "loss", double.PositiveInfinity),
            Row(15, "train", "loss", 3), Row(0, "val", "accuracy", double.NaN)]);
        RunReport.Write(run.Dir, Options);
        string html = Html(run);

        Assert.Contains("train/loss: 2 NaN/Infinity value(s) left out of the table and plot (step 5, 10).", html);
        Assert.Contains("val/accuracy: 1 NaN/Infinity", html);
        Assert.True(File.Exists(Path.Combine(run.ReportDir, "loss.png")));
        Assert.False(File.Exists(Path.Combine(run.ReportDir, "accuracy.png")));
    }

    [Fact]
    public void Write_RunTwice_OverwritesInPlaceWithoutTempFiles()
    {
        using var run = new FakeRun().WithInfo(Info()).WithMetrics([Row(0, "train", "loss", 4)]);
        RunReport.Write(run.Dir, Options);
        run.WithMetrics([Row(0, "train", "loss", 4), Row(10, "train", "loss", 3.25)]);
        RunReport.Write(run.Dir, Options);

        Assert.Contains("3.2500", Html(run));
        Assert.Empty(Directory.GetFiles(run.ReportDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Write_WhenRunJsonMissing_Throws()
    {
        using var run = new FakeRun();
        Assert.Throws<FileNotFoundException>(() => RunReport.Write(run.Dir, Options));
    }
}
