namespace GenLab.Runner.Data;

/// <summary>Where data named by URL and SHA-256 (<see cref="DataSource"/>) is looked for: the data folders in order
/// (<c>--data-dir</c>, then <c>GENLAB_DATA</c>), each holding files by their plain name, then the cache, which holds
/// each file under its hash (<c>&lt;cache&gt;/&lt;sha256&gt;/&lt;file&gt;</c>) so that an experiment moving to a new
/// version of its data, or two experiments with same-named files, never meet a copy they cannot use.</summary>
/// <param name="Directories">Full paths, searched in order.</param>
/// <param name="CacheDirectory">The only folder GenLab writes fetched data to.</param>
public sealed record DataSearch(IReadOnlyList<string> Directories, string CacheDirectory)
{
    public const string DataVariable = "GENLAB_DATA";
    /// <summary>The root of GenLab's caches (token ids and quality classifiers use it too); data goes to its
    /// <c>data</c> folder.</summary>
    public const string CacheVariable = "GENLAB_CACHE";

    /// <summary><paramref name="dataDirectories"/> (from <c>--data-dir</c>, relative to the working directory) first,
    /// then the <c>GENLAB_DATA</c> folders (separated like PATH), then the user's cache.</summary>
    public static DataSearch FromEnvironment(IEnumerable<string>? dataDirectories = null) =>
        FromEnvironment(dataDirectories ?? [], Environment.GetEnvironmentVariable);

    internal static DataSearch FromEnvironment(IEnumerable<string> dataDirectories, Func<string, string?> variable)
    {
        var fromVariable = (variable(DataVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new DataSearch([.. dataDirectories.Concat(fromVariable).Select(Path.GetFullPath).Distinct()], CacheFolder(variable));
    }

    /// <summary><c>$GENLAB_CACHE/data</c>, else <c>$XDG_CACHE_HOME/genlab/data</c>, else <c>~/.cache/genlab/data</c>
    /// (on Windows the local application data folder). Unlike token ids, fetched data is worth keeping across
    /// reboots, so by default it is not under the temp folder.</summary>
    internal static string CacheFolder(Func<string, string?> variable)
    {
        if (variable(CacheVariable) is { Length: > 0 } root) return Path.GetFullPath(Path.Combine(root, "data"));
        if (variable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "genlab", "data");
        string home = OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(home, "genlab", "data");
    }

    /// <summary>The same search with more data folders after these (a resumed run adds the folders it was started with).</summary>
    public DataSearch With(IEnumerable<string> moreDirectories) =>
        this with { Directories = [.. Directories.Concat(moreDirectories).Distinct()] };

    public string CachePath(DataSource source) => Path.Combine(CacheDirectory, source.Sha256, source.File);

    /// <summary>The first data folder's copy of the file, else its cache path, whether or not it is there yet. Reads
    /// nothing: <see cref="DataFetcher"/> verifies or fetches it before a run uses it.</summary>
    public string Locate(DataSource source) =>
        Directories.Select(d => Path.Combine(d, source.File)).FirstOrDefault(File.Exists) ?? CachePath(source);

    public bool InCache(string path) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(CacheDirectory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
