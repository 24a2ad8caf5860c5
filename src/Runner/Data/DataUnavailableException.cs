namespace GenLab.Runner.Data;

/// <summary>Named data that cannot be used: a copy with another SHA-256, or a fetch that failed. Bad input (exit code
/// 2); the message fits one screen and says what to do, including how to place the file by hand.</summary>
public sealed class DataUnavailableException(string message) : Exception(message)
{
    /// <summary>A local copy (in a data folder or the cache) whose bytes are not the named file's.</summary>
    public static DataUnavailableException Mismatch(LocatedData data, string actualSha256, DataSearch search) => new(
        $"{Named(data)}: {data.Path} is not the file the experiment names\n"
        + $"  expected SHA-256 {data.Source.Sha256}\n"
        + $"  got              {actualSha256}\n"
        + (search.InCache(data.Path)
            ? "Delete it (it is fetched again on the next run), or point --data-dir (or GENLAB_DATA) at a good copy."
            : "Delete it or replace it with a good copy, or point --data-dir (or GENLAB_DATA) at a folder that has one."));

    /// <summary>Fetched bytes that are not the named file's; nothing was cached.</summary>
    public static DataUnavailableException FetchedMismatch(LocatedData data, string actualSha256, long bytes, DataSearch search) => new(
        $"{Named(data)}: {data.Source.Url} sent a file that is not the one the experiment names; nothing was cached\n"
        + $"  expected SHA-256 {data.Source.Sha256}\n"
        + $"  got              {actualSha256} ({bytes:N0} bytes)\n"
        + "The file may have changed at its source: check the experiment's url and sha256, or place a good copy by hand:\n"
        + ByHand(data, search));

    /// <summary>The file is in no data folder and could not be fetched (offline, refused, timed out, an HTTP error).</summary>
    public static DataUnavailableException Unreachable(LocatedData data, string reason, DataSearch search) => new(
        $"{Named(data)}: cannot fetch {data.Source.File}: {reason}\n"
        + $"  url:   {data.Source.Url}\n"
        + $"  cache: {search.CacheDirectory}\n"
        + (search.Directories.Count > 0 ? $"  not in: {string.Join(", ", search.Directories)}\n" : "")
        + "To use a copy you have or download yourself:\n"
        + ByHand(data, search));

    private static string Named(LocatedData data) => $"{data.KeyPath} ({data.Where})";

    private static string ByHand(LocatedData data, DataSearch search) =>
        $"  - put it in a folder as {data.Source.File} and pass --data-dir FOLDER (or set {DataSearch.DataVariable}=FOLDER), or\n"
        + $"  - save it as {search.CachePath(data.Source)}\n"
        + $"  it must have SHA-256 {data.Source.Sha256} (sha256sum FILE)";
}
