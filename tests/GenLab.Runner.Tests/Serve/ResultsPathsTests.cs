using GenLab.Runner.Serve;
using GenLab.Runner.Tests.Config;

namespace GenLab.Runner.Tests.Serve;

/// <summary>The dashboard's only way from a request to a file: inside the results folder, links resolved.</summary>
public sealed class ResultsPathsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;
    private readonly ResultsPaths _paths;

    public ResultsPathsTests()
    {
        _dir.Write("results/tiny/run-1/run.json", "{}");
        _dir.Write("results/tiny/run-1/report/index.html", "<p>report</p>");
        _dir.Write("secret.txt", "outside");
        _results = Path.Combine(_dir.Root, "results");
        _paths = new ResultsPaths(_results);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("tiny/run-1/run.json")]
    [InlineData("tiny/run-1/report/index.html")]
    [InlineData("tiny//run-1/run.json")]
    [InlineData("tiny/run-1")]
    public void Resolve_APathInsideTheResultsFolder_GivesIt(string relative) =>
        Assert.Equal(Path.Combine(_paths.Root, relative.Replace("//", "/")), _paths.Resolve(relative));

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("tiny/../../secret.txt")]
    [InlineData("tiny/run-1/../../../secret.txt")]
    [InlineData("./tiny/run-1/run.json")]
    [InlineData("/etc/passwd")]
    [InlineData("tiny\\..\\..\\secret.txt")]
    [InlineData("tiny/run-1/run.json\0")]
    [InlineData("tiny/missing")]
    [InlineData(null)]
    public void Resolve_DotDotRootedBackslashControlOrMissing_IsRefused(string? relative) =>
        Assert.Null(_paths.Resolve(relative));

    [Fact]
    public void Resolve_ALinkInside_IsFollowed_AsALatestPointerIs()
    {
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "latest"), "run-1");

        Assert.Equal(Path.Combine(_paths.Root, "tiny", "run-1", "run.json"), _paths.Resolve("tiny/latest/run.json"));
    }

    [Fact]
    public void Resolve_ALinkThatLeadsOut_DirectlyThroughAnotherLinkOrByDotDot_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "out"), _dir.Root);                   // absolute, outside
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "up"), "..");                        // relative: results/
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "upup"), "../..");                    // relative: outside
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "chain"), "upup");                    // a link to a link out
        File.CreateSymbolicLink(Path.Combine(_results, "tiny", "file"), Path.Combine(_dir.Root, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_results, "tiny", "etc"), "/etc");

        Assert.Null(_paths.Resolve("tiny/out/secret.txt"));
        Assert.Null(_paths.Resolve("tiny/upup/secret.txt"));
        Assert.Null(_paths.Resolve("tiny/chain/secret.txt"));
        Assert.Null(_paths.Resolve("tiny/file"));
        Assert.Null(_paths.Resolve("tiny/etc/passwd"));
        Assert.Null(_paths.Resolve("tiny/up/../secret.txt"));                                          // '..' refused as typed
        Assert.Equal(Path.Combine(_paths.Root, "tiny", "run-1", "run.json"), _paths.Resolve("tiny/up/tiny/run-1/run.json"));
    }

    [Fact]
    public void Resolve_ALinkLoop_IsRefused_NotFollowedForever()
    {
        File.CreateSymbolicLink(Path.Combine(_results, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_results, "b"), "a");

        Assert.Null(_paths.Resolve("a/x"));
    }

    [Fact]
    public void Root_ThatIsItselfALink_IsResolved_AndItsInsideServed()
    {
        string link = Path.Combine(_dir.Root, "results-link");
        Directory.CreateSymbolicLink(link, _results);

        var paths = new ResultsPaths(link);

        Assert.Equal(Path.Combine(_paths.Root, "tiny", "run-1", "run.json"), paths.Resolve("tiny/run-1/run.json"));
    }
}
