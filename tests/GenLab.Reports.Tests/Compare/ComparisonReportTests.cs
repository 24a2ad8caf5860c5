using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Tests.Compare;

/// <summary>The comparison page from run folders the tests fill: metrics with the better run marked, curves of every
/// run on one plot, sections paired (figures by name, tables on their first column, a series by its newest), and a
/// reference's figures read from its report folder.</summary>
public sealed class ComparisonReportTests : IDisposable
{
    private readonly FakeRun _a = new(), _b = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static RunInfo Info(string runId, string kind = "gpt") => FakeRun.Info() with { RunId = runId, Kind = kind };

    private Comparison Compare(SectionRules? rules = null, string kindB = "gpt")
    {
        _a.WithInfo(Info("run-a"));
        _b.WithInfo(Info("run-b", kindB));
        return new Comparison
        {
            Runs = [ComparedRun.Read(_a.Dir, "A", "a"), ComparedRun.Read(_b.Dir, "B", "b")],
            Config = new ConfigComparison([new ConfigDifference("train.lr", ["0.0003", "0.001"])], 7),
            Rules = rules ?? new SectionRules(),
        };
    }

    [Fact]
    public void Metrics_GiveFinalAndBestOfEachRun_TheDifferenceFromTheFirst_AndMarkTheBetter()
    {
        _a.WithMetrics([FakeRun.Row(0, "val", "loss", 3.0), FakeRun.Row(100, "val", "loss", 2.5), FakeRun.Row(100, "train", "lr", 1e-4)]);
        _b.WithMetrics([FakeRun.Row(0, "val", "loss", 3.0), FakeRun.Row(100, "val", "loss", 2.25), FakeRun.Row(100, "train", "lr", 2e-4)]);

        var c = Compare();
        var metrics = c.Metrics();

        var loss = metrics.Single(m => m.Metric == "loss");
        Assert.Equal(1, loss.BetterFinal);
        Assert.Equal(1, loss.BetterBest);
        Assert.Null(metrics.Single(m => m.Metric == "lr").BetterBest);       // no better learning rate
        string markdown = ComparisonReport.Render(c).Markdown;
        Assert.Contains("| val | loss | 2.5000 @100 | 2.5000 @100 | 2.2500 @100 (−0.2500) ★ | 2.2500 @100 (−0.2500) ★ |", markdown);
        Assert.Contains("| train.lr | 0.0003 | 0.001 |", markdown);
        Assert.Contains("the other 7 keys are the same", markdown);
    }

    [Fact]
    public void Curves_OnePlotPerMetricTheRunsShare_WithEveryRunOnIt()
    {
        _a.WithMetrics(FakeRun.RealisticMetrics(100));
        _b.WithMetrics(FakeRun.RealisticMetrics(200).Where(r => r.Metric != "steps_per_s"));

        var c = Compare();
        var plots = CurveOverlay.Render(c.Runs, c.Smoothing);

        Assert.Equal(["loss", "lr"], plots.Select(p => p.Metric));
        Assert.All(plots, p => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], p.Png.Take(4)));
        var rendered = ComparisonReport.Render(c);
        Assert.Contains("curve-loss.png", rendered.Images.Select(i => i.FileName));
        Assert.Contains("<img class=\"curve\" data-metric=\"loss\" alt=\"Loss: A vs B\" src=\"data:image/png;base64,", rendered.Html);
    }

    [Fact]
    public void Sections_PairFiguresByName_AlignTablesOnTheirFirstColumn_AndKeepTheNewestOfASeries()
    {
        byte[] png = [0x89, 1, 2, 3];
        Section(_a.Dir, "loss 2.5", [("samples-000100.png", "step 100"), ("samples-000200.png", "step 200"), ("schedule.png", "schedule")],
            [["cl100k", "18"], ["o200k", "17"]]);
        Section(_b.Dir, "loss 2.2", [("samples-000300.png", "step 300"), ("schedule.png", "schedule")], [["cl100k", "18"], ["o200k", "15"]]);

        var rendered = ComparisonReport.Render(Compare(new SectionRules { Series = [new FigureSeries(@"^samples-([0-9]+)\.png$", "newest")] }));

        var files = rendered.Images.Select(i => i.FileName).ToList();
        Assert.Contains("A-samples-000200.png", files);
        Assert.Contains("B-samples-000300.png", files);
        Assert.DoesNotContain("A-samples-000100.png", files);
        Assert.Contains("A-schedule.png", files);
        Assert.Contains("B-schedule.png", files);
        string md = rendered.Markdown;
        Assert.Contains("## Demo (side by side)", md);                          // "(step N)" is not part of what pairs
        Assert.Contains("| tokenizer | run | tokens |\n|---|---|---|\n| cl100k | all | 18 |\n| o200k | A | 17 |\n| o200k | B | 15 |", md);
        Assert.Contains("**A · tiny-gpt run-a**\n\nloss 2.5", md);               // different text: side by side
        Assert.Contains("<td class=\"differs\">15</td>", rendered.Html);
        Assert.DoesNotContain("expectations", md);

        void Section(string dir, string text, (string Name, string Caption)[] figures, string[][] rows)
        {
            var s = new SectionBuilder().Heading("Demo (step 9)").Paragraph(text)
                .Table(["tokenizer", "tokens"], rows.Select(r => (IReadOnlyList<TableCell>)[r[0], r[1]]));
            foreach (var (name, caption) in figures) s.Figure(name, png, caption);
            s.Write(dir, 10, "demo");
            new SectionBuilder().Heading("Expectations").Paragraph("none").Write(dir, 1, "expectations");
        }
    }

    [Fact]
    public void Reference_ItsSectionFiguresAreReadFromItsReportFolder()
    {
        new SectionBuilder().Heading("Latent space").Figure("latent.png", [1, 2, 3]).Write(_b.Dir, 10, "latent");
        Directory.CreateDirectory(_b.ReportDir);
        File.Move(Path.Combine(_b.Dir, RunFiles.Sections, "latent.png"), Path.Combine(_b.ReportDir, "latent.png"));
        new SectionBuilder().Heading("Latent space").Figure("latent.png", [4, 5]).Write(_a.Dir, 10, "latent");

        var rendered = ComparisonReport.Render(Compare());

        Assert.Equal([1, 2, 3], rendered.Images.Single(i => i.FileName == "B-latent.png").Png);
        Assert.DoesNotContain("not in the run folder", rendered.Markdown);
    }

    [Fact]
    public void RunsOfDifferentKinds_TheComparisonSaysSo()
    {
        var c = Compare(kindB: "vae");

        Assert.False(c.SameKind);
        Assert.Contains("These runs are of different kinds (A: gpt, B: vae)", ComparisonReport.Render(c).Markdown);
    }

    [Fact]
    public void Environment_ListsOnlyWhatDiffers_AndNamesWhatIsTheSame()
    {
        var c = Compare();
        c = c with
        {
            Runs = [c.Runs[0], c.Runs[1] with { Info = c.Runs[1].Info with { Environment = c.Runs[1].Info.Environment with { TorchThreads = 4 } } }],
        };

        var rows = c.Environment();

        Assert.Equal("threads", Assert.Single(rows).Property);
        Assert.Contains("Same code commit, backend and CPU; what differs:", ComparisonReport.Render(c).Markdown);
    }

    [Fact]
    public void SectionParts_ReadBackWhatSectionBuilderWrote()
    {
        var builder = new SectionBuilder().Heading("Attention (step 50)").Paragraph("rows are <queries>")
            .Table(["a", "b"], [[new TableCell("1 & 2", "pass"), "x|y"]]).Figure("att.png", [1], "heads")
            .Heading("More", 3).Note("careful");

        var parts = SectionParts.Parse(new ReportSection("10-attention", builder.Html, builder.Markdown));

        Assert.Equal(["Attention (step 50)", "More"], parts.Select(p => p.Title));
        Assert.Equal("<p>rows are &lt;queries&gt;</p>", parts[0].TextHtml);
        Assert.Equal("rows are <queries>", parts[0].TextMarkdown);
        Assert.Equal(new PartFigure("att.png", "heads"), Assert.Single(parts[0].Figures));
        var table = Assert.Single(parts[0].Tables);
        Assert.Equal(["a", "b"], table.Headers);
        Assert.Equal([new TableCell("1 & 2", "pass"), new TableCell("x|y")], table.Rows.Single());
        Assert.Equal("> careful", parts[1].TextMarkdown);
        Assert.Equal(3, parts[1].Level);
    }
}
