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
}
