namespace GenLab.Runner.Tests.Support;

/// <summary>The repository checkout the tests run from (the folder holding GenLab.slnx).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Experiments => Path.Combine(Root, "experiments");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no GenLab.slnx above {AppContext.BaseDirectory}");
    }
}
