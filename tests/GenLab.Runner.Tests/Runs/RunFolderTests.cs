using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Runs;

public sealed class RunFolderTests : IDisposable
{
    private static readonly DateTimeOffset Started = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_TwiceWithSameNameHashAndSecond_ClaimsTwoFoldersAndLatestPointsAtTheSecond()
    {
        var first = RunFolder.Create(_dir.Root, "tiny", "abcd1234", Started);
        var second = RunFolder.Create(_dir.Root, "tiny", "abcd1234", Started);

        Assert.Equal("20261126T120000Z-abcd1234", first.RunId);
        Assert.Equal("20261126T120000Z-abcd1234-1", second.RunId);
        Assert.True(File.Exists(Path.Combine(second.Path, RunFiles.RunInfo)));
        Assert.True(Directory.Exists(second.Checkpoints));
        Assert.Equal(second.Path, RunFolder.ResolveLatest(Path.Combine(_dir.Root, "tiny")));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(second.RunId, new FileInfo(Path.Combine(_dir.Root, "tiny", RunFolder.LatestLink)).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Root, "tiny"), ".latest-*"));
    }

    [Fact]
    public async Task Create_ManyAtOnce_EachClaimsItsOwnFolder()
    {
        var folders = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => RunFolder.Create(_dir.Root, "tiny", "abcd1234", Started))));

        Assert.Equal(8, folders.Select(f => f.Path).Distinct().Count());
        Assert.Contains(RunFolder.ResolveLatest(Path.Combine(_dir.Root, "tiny")), folders.Select(f => f.Path));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a..b")]
    public void Load_WhenNameCannotBeAFolder_ThrowsNamingTheKey(string name)
    {
        string yaml = TinyExperiment.Write(_dir, TinyExperiment.Yaml.Replace("name: tiny", $"name: \"{name}\"", StringComparison.Ordinal));

        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(yaml, []));

        Assert.Equal("name", Assert.Single(ex.Errors).KeyPath);
    }

    [Fact]
    public void Create_WhenNameWouldEscapeResultsRoot_Throws() =>
        Assert.Throws<ArgumentException>(() => RunFolder.Create(Path.Combine(_dir.Root, "results"), "../outside", "abcd1234", Started));

    /// <summary>A run folder of <c>tiny</c> under <c>results</c> and, beside the results folder, one that must never be reached.</summary>
    private (string Results, RunFolder Run, string Outside) RunAndOutside()
    {
        string results = Path.Combine(_dir.Root, "results");
        var run = RunFolder.Create(results, "tiny", "abcd1234", Started);
        string outside = Path.Combine(_dir.Root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, RunFiles.RunInfo), "{}");
        return (results, run, outside);
    }

    private static void PointLatest(string experimentDir, string target, bool symlink)
    {
        string link = Path.Combine(experimentDir, RunFolder.LatestLink);
        File.Delete(link);
        if (symlink) File.CreateSymbolicLink(link, target);
        else File.WriteAllText(link, target);
    }

    [Theory]
    [InlineData(true, "../../outside")]
    [InlineData(false, "../../outside")]
    [InlineData(true, "OUTSIDE_ABSOLUTE")]
    [InlineData(false, "OUTSIDE_ABSOLUTE")]
    [InlineData(false, "..")]
    public void ResolveLatest_WhenPointerLeadsOutsideTheResultsFolder_Refuses(bool symlink, string target)
    {
        var (results, _, outside) = RunAndOutside();
        string experimentDir = Path.Combine(results, "tiny");
        target = target.Replace("OUTSIDE_ABSOLUTE", outside);
        PointLatest(experimentDir, target, symlink);

        var ex = Assert.Throws<InvalidDataException>(() => RunFolder.ResolveLatest(experimentDir));

        Assert.Equal($"{Path.Combine(experimentDir, "latest")} points at '{target}': a latest pointer must name a run folder beside it "
            + "(results/<name>/<run>), not a path or a link", ex.Message);
        Assert.Throws<InvalidDataException>(() => RunFolder.Open(Path.Combine(experimentDir, "latest")));
    }

    [Fact]
    public void ResolveLatest_WhenPointerNamesALinkBesideIt_Refuses()
    {
        var (results, _, outside) = RunAndOutside();
        string experimentDir = Path.Combine(results, "tiny");
        Directory.CreateSymbolicLink(Path.Combine(experimentDir, "decoy"), outside);
        PointLatest(experimentDir, "decoy", symlink: false);

        Assert.Throws<InvalidDataException>(() => RunFolder.ResolveLatest(experimentDir));
    }

    [Fact]
    public void ResolveLatest_WhenTextPointerNamesARunBesideIt_ResolvesIt()
    {
        var (results, run, _) = RunAndOutside();
        PointLatest(Path.Combine(results, "tiny"), run.RunId + "\n", symlink: false);

        Assert.Equal(run.Path, RunFolder.ResolveLatest(Path.Combine(results, "tiny")));
    }

    [Theory]
    [InlineData("latest:../outside")]
    [InlineData("latest:..")]
    [InlineData("latest:/tmp")]
    [InlineData("latest:")]
    public void InitFrom_WhenLatestNameIsAPath_Refuses(string reference)
    {
        var (results, _, _) = RunAndOutside();

        var ex = Assert.Throws<InvalidDataException>(() => Runner.Training.InitFrom.Resolve(reference, results, _dir.Root));

        Assert.Equal($"init_from: '{reference}': after latest: comes an experiment name, not a path", ex.Message);
    }

    [Fact]
    public void InitFrom_WhenLatestPointerLeadsOutside_Refuses()
    {
        var (results, _, outside) = RunAndOutside();
        PointLatest(Path.Combine(results, "tiny"), outside, symlink: true);

        Assert.StartsWith("init_from: ", Assert.Throws<InvalidDataException>(() => Runner.Training.InitFrom.Resolve("latest:tiny", results, _dir.Root)).Message);
        Assert.StartsWith("init_from: ", Assert.Throws<InvalidDataException>(() => Runner.Training.InitFrom.Resolve("results/tiny/latest", results, _dir.Root)).Message);
    }
}
