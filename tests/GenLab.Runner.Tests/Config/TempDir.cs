namespace GenLab.Runner.Tests.Config;

/// <summary>A scratch folder for YAML and data files, removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("genlab-config-").FullName;

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
