using System.Text.RegularExpressions;
using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Compare;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Commands;

/// <summary><c>genlab compare</c> over tiny runs that differ in one key, their latest pointers, a reference written as
/// <c>verify --reference</c> writes it, and runs of different kinds.</summary>
[Collection(TorchCollection.Name)]
public sealed partial class CompareCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public CompareCommandTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    private string Run(params string[] overrides)
    {
        var (exit, runDir) = TinyExperiment.Run(TinyExperiment.Load(_dir, overrides), _results);
        Assert.Equal(ExitCodes.Ok, exit);
        return runDir;
    }

    private string CompareFolder => Path.Combine(_results, CompareCommand.CompareFolder);

    private string OnlyComparison()
    {
        string dir = Assert.Single(Directory.GetDirectories(CompareFolder));
        Assert.True(File.Exists(Path.Combine(dir, "index.html")));
        return dir;
    }

    [Fact]
    public async Task Compare_TwoRunsDifferingInOneKey_ShowsOnlyThatKey_BothCurvesOnOnePlot_AndTheSamplesSideBySide()
    {
        string a = Run(), b = Run("training.steps=60");
        string runA = Path.GetRelativePath(_dir.Root, a), runB = Path.GetRelativePath(_dir.Root, b);

        var (exit, output) = await GenlabProcess.RunAsync(["compare", runA, runB], workingDirectory: _dir.Root);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("config training.steps: A 40, B 60", output);
        Assert.DoesNotContain("config seed", output);
        string dir = OnlyComparison();
        Assert.Equal($"{Path.GetFileName(a)}_vs_{Path.GetFileName(b)}", Path.GetFileName(dir));
        string markdown = File.ReadAllText(Path.Combine(dir, "README.md"));
        string configTable = Regex.Match(markdown, @"## Config: what differs\n\n.*?\n\n(\|.*?)\n\n", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(["| key | A | B |", "|---|---|---|", "| training.steps | 40 | 60 |"], configTable.Split('\n'));
        Assert.Contains("![Loss: A vs B](curve-loss.png)", markdown);
        Assert.True(new FileInfo(Path.Combine(dir, "curve-loss.png")).Length > 10_000);
        Assert.Matches(@"\| # \| A \(step 40\) \| B \(step 60\) \|", markdown);      // samples of the last evaluation of each
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.Contains("<img class=\"curve\" data-metric=\"loss\"", html);
        Assert.Contains("src=\"data:image/png;base64,", html);      // opens from disk on its own
        Assert.Contains("href=\"../../tiny/", html);                // each run's own report, relative
        // Nothing but the comparison was written: the runs are as they were.
        Assert.Equal(["compare", "tiny"], Directory.GetFileSystemEntries(_results).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Compare_LatestPointerAndLatestName_ResolveToTheNewestRun()
    {
        string a = Run(), b = Run("training.lr=0.02");

        Assert.Equal(b, RunComparer.Resolve($"latest:tiny", _results));
        Assert.Equal(b, RunComparer.Resolve(Path.Combine(_results, "tiny", "latest"), _results));
        Assert.Equal(ExitCodes.Ok, CompareCommand.Execute([a, "latest:tiny"], false, null, null, _results));
        string markdown = File.ReadAllText(Path.Combine(OnlyComparison(), "README.md"));
        Assert.Contains("| training.lr | 0.01 | 0.02 |", markdown);
    }

    [Fact]
    public async Task Compare_WithRef_ComparesTheRunWithItsExperimentsReference_ReadingTheReferenceLayout()
    {
        string lecture = Run();
        WriteFigureSection(lecture, "lecture");
        string reference = ReferenceRun.Write(lecture, Path.Combine(_results, "reference"));
        Assert.False(File.Exists(Path.Combine(reference, RunFiles.Sections, "demo.png")));    // references keep PNGs in report/ only
        string student = Run("training.steps=60");
        WriteFigureSection(student, "student");

        Assert.Equal(ExitCodes.Ok, await Cli.InvokeAsync(["compare", "--ref", student, "--results", _results]));

        string dir = OnlyComparison();
        Assert.EndsWith("_vs_ref-tiny", dir);
        string markdown = File.ReadAllText(Path.Combine(dir, "README.md"));
        Assert.Contains("| completed (reference) |", markdown);
        Assert.Contains("| training.steps | 60 | 40 |", markdown);
        Assert.True(File.Exists(Path.Combine(dir, "A-demo.png")));
        Assert.True(File.Exists(Path.Combine(dir, "B-demo.png")));      // the reference's figure, found in its report/
        Assert.DoesNotContain("not in the run folder", markdown);
        Assert.Contains("| who | A | student |\n| who | B | lecture |\n| same | all | 1 |", markdown);   // rows aligned on their first cell
    }

    [Fact]
    public void Compare_WithRefFolder_TakesTheReferenceGiven_AndAMissingReferenceSaysHowToWriteOne()
    {
        string lecture = Run();
        string elsewhere = Path.Combine(_dir.Root, "lecture-refs");
        string reference = ReferenceRun.Write(lecture, elsewhere);
        string student = Run("training.steps=60");

        Assert.Equal(ExitCodes.Ok, CompareCommand.Execute([student], true, reference, null, _results));
        Assert.Equal(ExitCodes.Ok, CompareCommand.Execute([student], true, elsewhere, Path.Combine(_dir.Root, "out"), _results));
        Assert.True(File.Exists(Path.Combine(_dir.Root, "out", "README.md")));
        var e = Assert.Throws<InvalidDataException>(() => RunComparer.Reference(student, null, _results));
        Assert.Contains("genlab verify --reference", e.Message);
        Assert.Equal(ExitCodes.BadInput, CompareCommand.Execute([student], true, null, null, _results));
    }

    [Fact]
    public void Compare_RunsOfDifferentKinds_SaysSo_AndComparesOnlyTheKeysTheyShare()
    {
        string a = Run();
        string b = Path.Combine(_results, "other", "run");
        CopyRun(a, b);
        var info = RunInfo.Read(b);
        (info with { Name = "other", Kind = "vae" }).Write(b);
        File.WriteAllText(Path.Combine(b, RunFiles.Experiment),
            File.ReadAllText(Path.Combine(b, RunFiles.Experiment)).Replace("kind: mlp_char", "kind: vae").Replace("steps: 40", "steps: 99")
            + "extra:\n  only_here: 1\n");

        var comparison = RunComparer.Build([new SelectedRun(a, "a", false), new SelectedRun(b, "b", false)]);

        Assert.False(comparison.SameKind);
        Assert.Equal(["kind", "training.steps"], comparison.Config.Differences.Select(d => d.Key).Where(k => k != "name"));
        Assert.Contains("different kinds", ComparisonReport.Render(comparison).Markdown);
    }

    [Theory]
    [InlineData("compare takes two or more runs, or one run and --ref", "one")]
    [InlineData("one: no such run folder", "one", "two")]
    [InlineData("not a run folder (no run.json)", "latest:tiny", ".")]
    [InlineData("no run of 'nothing' under", "latest:nothing", "latest:tiny")]
    [InlineData("after latest: comes an experiment name, not a path", "latest:../x", "latest:tiny")]
    public void Compare_OnBadInput_ExitsTwo_AndWritesNothing(string expected, params string[] runs)
    {
        Run();
        var error = new StringWriter();
        var before = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(ExitCodes.BadInput, CompareCommand.Execute(runs, false, null, null, _results)); }
        finally { Console.SetError(before); }
        Assert.Contains(expected, error.ToString());
        Assert.False(Directory.Exists(CompareFolder));
    }

    [Fact]
    public void ConfigKeys_FlattenMappingsAndLists_AndCompareKeepsOnlyDifferences()
    {
        string run = Run();
        File.WriteAllText(Path.Combine(run, RunFiles.Experiment), "a:\n  b: 1\n  c: [x, y]\nd:\n  - e: 2\n  - e: 3\nf: null\n");

        var keys = ConfigKeys.Read(run);

        Assert.Equal([("a.b", "1"), ("a.c", "[x, y]"), ("d[0].e", "2"), ("d[1].e", "3"), ("f", "null")], keys);
        var comparison = ConfigKeys.Compare([keys, [("a.b", "1"), ("a.c", "[x, z]"), ("g", "4")]]);
        Assert.Equal(["a.c", "d[0].e", "d[1].e", "f", "g"], comparison.Differences.Select(d => d.Key));
        Assert.Equal([null, "4"], comparison.Differences.Single(d => d.Key == "g").Values);
        Assert.Equal(1, comparison.SameKeys);
        var dropped = ConfigKeys.Compare([[("expect", "null"), ("seed", "1")], [("expect.loss.max", "2"), ("expect.acc.min", "0.9"), ("seed", "1")]]);
        var folded = Assert.Single(dropped.Differences);                 // --set expect=null against a table: one row
        Assert.Equal("expect", folded.Key);
        Assert.Equal(["null", "{2 keys}"], folded.Values);
    }

    /// <summary>A report section with a figure and a table, as an experiment writes one.</summary>
    private static void WriteFigureSection(string runDir, string who) =>
        new SectionBuilder().Heading("Demo (step 40)").Paragraph($"written for the {who}")
            .Table(["row", "value"], [["who", who], ["same", "1"]])
            .Figure("demo.png", Png(who == "lecture" ? 10 : 20))
            .Write(runDir, 10, "demo");

    private static byte[] Png(int side) => new GenLab.Models.Images.ImageData(side, side, 1, new float[side * side]).ToPng();

    private static void CopyRun(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
