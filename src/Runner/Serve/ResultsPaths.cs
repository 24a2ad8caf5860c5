namespace GenLab.Runner.Serve;

/// <summary>The only way <c>genlab serve</c> turns a path from a request into a file: relative to the results folder,
/// with every link resolved, and refused unless what it finally names is inside the results folder. <c>..</c>, <c>.</c>,
/// a rooted path, a backslash or a control character is refused before the disk is asked; a link (a run's
/// <c>latest</c>, or one a student made) is followed component by component as the kernel would, and a link that leads
/// out — directly, through another link, or by <c>..</c> in its target — is refused as firmly as a typed one.</summary>
public sealed class ResultsPaths
{
    /// <summary>Links followed in one path before it is refused (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    public ResultsPaths(string resultsRoot)
    {
        Root = Canonical(Path.GetFullPath(resultsRoot)) ?? throw new DirectoryNotFoundException($"{resultsRoot}: no such folder");
    }

    /// <summary>The results folder, with its own links resolved.</summary>
    public string Root { get; }

    /// <summary>The file or folder <paramref name="relative"/> names under the results folder, or null when it is
    /// refused or does not exist.</summary>
    public string? Resolve(string? relative)
    {
        if (relative is null || relative.Length > 4096 || relative.Contains('\\') || relative.Any(char.IsControl)) return null;
        if (relative.StartsWith('/') || Path.IsPathRooted(relative)) return null;
        var segments = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or "..")) return null;
        string? real = Canonical(Path.Combine([Root, .. segments]));
        return real is not null && IsInside(real) ? real : null;
    }

    /// <summary>A path under the results folder as the dashboard's URLs name it: relative, with '/'.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    public bool IsInside(string canonicalPath) =>
        canonicalPath == Root || canonicalPath.StartsWith(Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>realpath(3) in managed code: the path with every link resolved and every <c>..</c> taken against the
    /// physical parent; null when a component does not exist or the links loop.</summary>
    internal static string? Canonical(string fullPath)
    {
        string root = Path.GetPathRoot(fullPath) ?? "/";
        var todo = new List<string>(fullPath[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries));
        string current = root;
        int links = 0;
        while (todo.Count > 0)
        {
            string part = todo[0];
            todo.RemoveAt(0);
            if (part == ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? current; continue; }
            string next = Path.Combine(current, part);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
            if (target is not null)
            {
                if (++links > MaxLinks) return null;
                if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target) ?? root;
                todo.InsertRange(0, target[(Path.IsPathRooted(target) ? (Path.GetPathRoot(target) ?? "").Length : 0)..]
                    .Split(Separators, StringSplitOptions.RemoveEmptyEntries));
                continue;
            }
            if (!File.Exists(next) && !Directory.Exists(next)) return null;
            current = next;
        }
        return current;
    }
}
