namespace GenLab.Runner.Config;

/// <summary>One problem in an experiment config. <see cref="File"/> is a path as the user would type it (relative
/// to the working directory when inside it) or <c>--set</c>, in which case <see cref="Line"/> is the 1-based index
/// of the override. Line or column 0 means unknown.</summary>
public sealed record ConfigError(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString()
    {
        var where = File;
        if (Line > 0) where += $":{Line}";
        if (Line > 0 && Column > 0) where += $":{Column}";
        return KeyPath.Length > 0 ? $"{where}: {KeyPath}: {Message}" : $"{where}: {Message}";
    }
}
