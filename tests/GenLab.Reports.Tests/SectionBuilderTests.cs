using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Tests;

public sealed class SectionBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-builder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Text_IsEscapedForHtmlAndKeptAsWrittenInMarkdown()
    {
        var section = new SectionBuilder().Heading("a < b").Heading("part", level: 3).Paragraph("x & \"y\"").Note("careful <here>");

        Assert.Equal("<h2>a &lt; b</h2>\n<h3>part</h3>\n<p>x &amp; &quot;y&quot;</p>\n<p class=\"note\">careful &lt;here&gt;</p>\n", section.Html);
        Assert.Equal("## a < b\n\n### part\n\nx & \"y\"\n\n> careful <here>\n\n", section.Markdown);
        Assert.Throws<ArgumentOutOfRangeException>(() => section.Heading("title", level: 1));
    }

    [Fact]
    public void Table_EscapesPipesAndLineBreaksInMarkdownAndAlignsNumericColumns()
    {
        var section = new SectionBuilder().Table(["word", "share"],
            [["a|b\nc", "0.5"], [new TableCell("✓", "pass"), "1"]], numeric: [false, true]);

        Assert.Equal("<table><tr><th>word</th><th>share</th></tr>\n"
            + "<tr><td>a|b\nc</td><td class=\"num\">0.5</td></tr>\n"
            + "<tr><td class=\"pass\">✓</td><td class=\"num\">1</td></tr>\n</table>\n", section.Html);
        Assert.Equal("| word | share |\n|---|--:|\n| a\\|b c | 0.5 |\n| ✓ | 1 |\n\n", section.Markdown);
        Assert.Throws<ArgumentException>(() => new SectionBuilder().Table(["one", "two"], [["only one"]]));
        Assert.Throws<ArgumentException>(() => new SectionBuilder().Table(["one"], [], numeric: [true, false]));
    }

    [Fact]
    public void Figures_AreWrittenWithTheSectionAndInlinedInTheReport()
    {
        new RunInfo { Name = "t", Kind = "vae", RunId = "r", Environment = new EnvironmentInfo(), Status = RunStatus.Completed }.Write(_dir);
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];
        var section = new SectionBuilder().Heading("Latent space").Figure("grid.png", png, "one row per class").Figure("bare.png", png);

        Assert.Contains("<figure><img alt=\"grid.png\" src=\"grid.png\"><figcaption>one row per class</figcaption></figure>", section.Html);
        Assert.Contains("![grid.png](grid.png)\n\n*one row per class*\n\n![bare.png](bare.png)\n\n", section.Markdown);
        section.Write(_dir, 10, "latent");
        RunReport.Write(_dir, new ReportOptions());

        var written = Assert.Single(ReportSections.Read(_dir));
        Assert.Equal("10-latent", written.Slug);
        Assert.Equal(section.Markdown, written.Markdown);
        string html = File.ReadAllText(Path.Combine(_dir, "report", RunReport.Html));
        Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(png) + "\"><figcaption>one row per class", html);
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(_dir, "report", "bare.png")));
    }
}
