using GenLab.Runner.Data;
using GenLab.Runner.Tests.Config;

namespace GenLab.Runner.Tests.Data;

public sealed class DataSearchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Func<string, string?> Variables(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    private static readonly DataSource Source = new()
    {
        File = "words.txt", Url = "https://example.org/words.txt", Sha256 = new string('a', 64),
    };

    [Fact]
    public void FromEnvironment_DataDirsComeFirst_ThenGenlabDataInOrder_ThenTheCache()
    {
        string a = Path.Combine(_dir.Root, "a"), b = Path.Combine(_dir.Root, "b"), c = Path.Combine(_dir.Root, "c");

        var search = DataSearch.FromEnvironment([a], Variables(
            (DataSearch.DataVariable, $"{b}{Path.PathSeparator}{c}{Path.PathSeparator}"), (DataSearch.CacheVariable, _dir.Root)));

        Assert.Equal([a, b, c], search.Directories);
        Assert.Equal(Path.Combine(_dir.Root, "data"), search.CacheDirectory);
    }

    [Fact]
    public void CacheFolder_WithoutGenlabCache_IsUnderXdgCacheHomeElseTheHomeCache()
    {
        Assert.Equal(Path.Combine("/xdg", "genlab", "data"), DataSearch.CacheFolder(Variables(("XDG_CACHE_HOME", "/xdg"))));
        if (OperatingSystem.IsWindows()) return;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".cache", "genlab", "data"), DataSearch.CacheFolder(Variables()));
        // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
        Assert.Equal(Path.Combine(home, ".cache", "genlab", "data"), DataSearch.CacheFolder(Variables(("XDG_CACHE_HOME", "rel"))));
    }

    [Fact]
    public void Locate_TakesTheFirstFolderWithTheFile_ElseTheCachePathUnderTheHash()
    {
        string first = Path.Combine(_dir.Root, "first"), second = Path.Combine(_dir.Root, "second");
        _dir.Write("second/words.txt", "x");
        var search = new DataSearch([first, second], Path.Combine(_dir.Root, "cache"));

        Assert.Equal(Path.Combine(second, "words.txt"), search.Locate(Source));
        Assert.Equal(Path.Combine(_dir.Root, "cache", Source.Sha256, "other.txt"), search.Locate(Source with { File = "other.txt" }));
        _dir.Write("first/words.txt", "y");
        Assert.Equal(Path.Combine(first, "words.txt"), search.Locate(Source));
    }
}
