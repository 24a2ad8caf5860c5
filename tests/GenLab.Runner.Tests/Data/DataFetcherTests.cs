using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GenLab.Runner.Data;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Data;

/// <summary>Verifying and fetching data named by URL and SHA-256, against a server on 127.0.0.1 that the test runs,
/// with the cache in a temp folder.</summary>
public sealed class DataFetcherTests : IDisposable
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("To be, or not to be: that is the question.\n", 4000)));
    private static readonly string TextSha256 = Convert.ToHexStringLower(SHA256.HashData(Text));

    private readonly TempDir _dir = new();
    private readonly string _cache;
    private readonly string _folder;

    public DataFetcherTests()
    {
        _cache = Path.Combine(_dir.Root, "cache");
        _folder = Path.Combine(_dir.Root, "folder");
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => _dir.Dispose();

    private DataSearch Search(params string[] folders) => new(folders, _cache);

    private static LocatedData Named(DataSearch search, string url, string sha256 = "", string file = "text.txt")
    {
        var source = new DataSource { File = file, Url = url, Sha256 = sha256.Length > 0 ? sha256 : TextSha256 };
        return new LocatedData(source, search.Locate(source), "data.path", "experiment.yaml:7");
    }

    private static Task Ensure(DataSearch search, LocatedData data, CancellationToken stop = default, TimeSpan? stall = null) =>
        new DataFetcher(search, new HookLogger(), interactive: false) { StallTimeout = stall ?? TimeSpan.FromSeconds(30) }
            .EnsureAsync([data], stop);

    private string[] CacheFiles() =>
        Directory.Exists(_cache) ? Directory.GetFiles(_cache, "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task Ensure_WhenNotCached_FetchesVerifiesAndCachesOnce()
    {
        using var server = new LocalHttpServer(_ => Reply.Ok(Text));
        var search = Search();
        var data = Named(search, server.Url("input.txt"));
        Assert.Equal(Path.Combine(_cache, TextSha256, "text.txt"), data.Path);

        await Ensure(search, data);
        await Ensure(search, Named(search, server.Url("input.txt")));

        Assert.Equal(Text, File.ReadAllBytes(data.Path));
        Assert.Equal(1, server.Requests);
        Assert.Equal([data.Path], CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenServerSendsOtherBytes_NamesBothHashesAndCachesNothing()
    {
        byte[] other = [.. Text.Take(Text.Length - 1), (byte)'!'];
        using var server = new LocalHttpServer(_ => Reply.Ok(other));
        var search = Search();

        var error = await Assert.ThrowsAsync<DataUnavailableException>(() => Ensure(search, Named(search, server.Url("input.txt"))));

        Assert.Contains($"expected SHA-256 {TextSha256}", error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(other)), error.Message);
        Assert.Contains("nothing was cached", error.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenServerAnswers404_NamesTheUrlAndStatusAndCachesNothing()
    {
        using var server = new LocalHttpServer(_ => Reply.NotFound());
        var search = Search();
        string url = server.Url("missing.txt");

        var error = await Assert.ThrowsAsync<DataUnavailableException>(() => Ensure(search, Named(search, url)));

        Assert.Contains("HTTP 404 (Not Found)", error.Message);
        Assert.Contains($"url:   {url}", error.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenPortIsClosed_FailsQuicklyAndSaysHowToPlaceTheFileByHand()
    {
        var search = Search();
        string url = LocalHttpServer.ClosedPortUrl("input.txt");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DataUnavailableException>(() => Ensure(search, Named(search, url)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains(url, error.Message);
        Assert.Contains($"cache: {_cache}", error.Message);
        Assert.Contains("--data-dir", error.Message);
        Assert.Contains(Path.Combine(_cache, TextSha256, "text.txt"), error.Message);
        Assert.Contains($"it must have SHA-256 {TextSha256}", error.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenServerStalls_TimesOutAndLeavesNoPartialFile()
    {
        using var server = new LocalHttpServer(_ => Reply.Ok(Text) with { StallAfter = 1000 });
        var search = Search();

        var error = await Assert.ThrowsAsync<DataUnavailableException>(
            () => Ensure(search, Named(search, server.Url("input.txt")), stall: TimeSpan.FromSeconds(1)));

        Assert.Contains("timed out", error.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenStoppedMidDownload_LeavesNoCachedOrPartialFile()
    {
        using var stop = new CancellationTokenSource();
        using var server = new LocalHttpServer(_ =>
        {
            stop.CancelAfter(TimeSpan.FromMilliseconds(500));    // Ctrl-C while the body is half sent
            return Reply.Ok(Text) with { StallAfter = Text.Length / 2 };
        });
        var search = Search();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ensure(search, Named(search, server.Url("input.txt")), stop.Token));

        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenADataFolderHasTheFile_UsesItWithoutARequest()
    {
        File.WriteAllBytes(Path.Combine(_folder, "text.txt"), Text);
        using var server = new LocalHttpServer(_ => Reply.Ok(Text));
        var search = Search(Path.Combine(_dir.Root, "empty"), _folder);
        var data = Named(search, server.Url("input.txt"));

        await Ensure(search, data);

        Assert.Equal(Path.Combine(_folder, "text.txt"), data.Path);
        Assert.Equal(0, server.Requests);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Ensure_WhenADataFolderCopyDiffers_IsAnErrorAndFetchesNothing()
    {
        string copy = Path.Combine(_folder, "text.txt");
        File.WriteAllText(copy, "something else");
        using var server = new LocalHttpServer(_ => Reply.Ok(Text));
        var search = Search(_folder);

        var error = await Assert.ThrowsAsync<DataUnavailableException>(() => Ensure(search, Named(search, server.Url("input.txt"))));

        Assert.Contains($"{copy} is not the file the experiment names", error.Message);
        Assert.Contains($"expected SHA-256 {TextSha256}", error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData("something else"u8)), error.Message);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Ensure_WhenTheCachedFileWasTamperedWith_IsAnErrorThatSaysToDeleteIt()
    {
        using var server = new LocalHttpServer(_ => Reply.Ok(Text));
        var search = Search();
        var data = Named(search, server.Url("input.txt"));
        await Ensure(search, data);
        File.AppendAllText(data.Path, "tampered");

        var error = await Assert.ThrowsAsync<DataUnavailableException>(() => Ensure(search, data));

        Assert.Contains($"{data.Path} is not the file the experiment names", error.Message);
        Assert.Contains("Delete it", error.Message);
        Assert.Equal(1, server.Requests);
    }
}
