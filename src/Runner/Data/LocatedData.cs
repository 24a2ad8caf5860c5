namespace GenLab.Runner.Data;

/// <summary>A <see cref="DataSource"/> as the loader bound it: the local path the config now holds (a data folder's
/// copy, or the cache path it will be fetched to) and where the YAML named it, for errors.</summary>
/// <param name="KeyPath">The key that names it, e.g. <c>data.path</c>.</param>
/// <param name="Where">The file and line of that key, as the user would type them.</param>
public sealed record LocatedData(DataSource Source, string Path, string KeyPath, string Where)
{
    public bool Exists => File.Exists(Path);
}
