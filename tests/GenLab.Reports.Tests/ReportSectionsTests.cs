using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Tests;

public sealed class ReportSectionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-sections-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_SectionsAppearInOrderWithImagesInlinedInHtmlAndCopiedForMarkdown()
    {
        new RunInfo { Name = "t", Kind = "tokenize", RunId = "r", Environment = new EnvironmentInfo(), Status = RunStatus.Completed }.Write(_dir);
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];
        ReportSections.Write(_dir, 20, "second", "<h2>Second</h2>", "## Second");
        ReportSections.Write(_dir, 10, "first", "<h2>First</h2><img src=\"chart.png\">", "## First\n\n![c](chart.png)", [("chart.png", png)]);

        RunReport.Write(_dir, new ReportOptions());

        string html = File.ReadAllText(Path.Combine(_dir, "report", RunReport.Html));
        Assert.True(html.IndexOf("<h2>First</h2>", StringComparison.Ordinal) < html.IndexOf("<h2>Second</h2>", StringComparison.Ordinal));
        Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(png) + "\"", html);
        Assert.DoesNotContain("src=\"chart.png\"", html);
        string markdown = File.ReadAllText(Path.Combine(_dir, "report", RunReport.Markdown));
        Assert.Contains("![c](chart.png)", markdown);
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(_dir, "report", "chart.png")));
    }

    [Fact]
    public void Write_RejectsSlugsAndImageNamesThatCouldEscapeTheFolder()
    {
        Assert.Throws<ArgumentException>(() => ReportSections.Write(_dir, 1, "../x", "", ""));
        Assert.Throws<ArgumentException>(() => ReportSections.Write(_dir, 1, "ok", "", "", [("../evil.png", [])]));
    }
}
