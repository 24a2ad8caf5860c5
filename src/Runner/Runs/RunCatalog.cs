using System.Diagnostics;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Runs;

/// <summary>One run found under a results folder, as <c>list</c>, the results index and <c>serve</c> show it.</summary>
/// <param name="Path">The run folder's full path.</param>
/// <param name="RelativePath">The folder relative to the results folder, with '/' (<c>tiny/20261207T101500Z-1a2b3c4d</c>).</param>
/// <param name="Status">run.json's status, or <c>crashed</c> for a run marked running whose process is gone.</param>
/// <param name="IsReference">A lecture's reference (<c>reference/&lt;name&gt;</c>, written by <c>verify --reference</c>).</param>
public sealed record RunEntry(string Name, string RunId, string Kind, string Status, long Step, long TotalSteps, BestMetric? Best,
    DateTimeOffset StartedUtc, DateTimeOffset? EndedUtc, string Path, string RelativePath, bool IsReference)
{
    public TimeSpan? Duration => EndedUtc is { } end ? end - StartedUtc : null;

    /// <summary>The run's HTML report, relative to the results folder; a reference has only <c>report/README.md</c>.</summary>
    public string? ReportRelative =>
        File.Exists(System.IO.Path.Combine(Path, RunFiles.Report, "index.html")) ? $"{RelativePath}/{RunFiles.Report}/index.html"
        : File.Exists(System.IO.Path.Combine(Path, RunFiles.Report, "README.md")) ? $"{RelativePath}/{RunFiles.Report}/README.md"
        : null;
}

/// <summary>Finds the runs under a results folder: every folder holding a run.json, read only.</summary>
public static class RunCatalog
{
    /// <summary>The folder of reference runs inside a results folder.</summary>
    public const string ReferenceFolder = "reference";

    /// <summary>Every run under <paramref name="resultsRoot"/>, oldest first. A run marked running whose process is
    /// gone (killed, power cut) is shown as <c>crashed</c>: run.json could not say so itself. A run.json that cannot be
    /// read (torn, being replaced, deleted meanwhile) leaves its run out.</summary>
    public static IReadOnlyList<RunEntry> Find(string resultsRoot)
    {
        var rows = new List<RunEntry>();
        if (!Directory.Exists(resultsRoot)) return rows;
        string root = System.IO.Path.GetFullPath(resultsRoot);
        foreach (string dir in RunFolders(root))
        {
            RunInfo info;
            try { info = RunInfo.Read(dir); }
            catch (Exception e) when (e is System.Text.Json.JsonException or IOException or InvalidDataException or UnauthorizedAccessException) { continue; }
            string status = StatusOf(info);
            string relative = System.IO.Path.GetRelativePath(root, dir).Replace('\\', '/');
            bool reference = relative.StartsWith(ReferenceFolder + "/", StringComparison.Ordinal) && relative.Count(c => c == '/') == 1;
            rows.Add(new RunEntry(info.Name, info.RunId, info.Kind, status, info.Step, info.TotalSteps, info.Best, info.StartedUtc,
                info.EndedUtc, dir, relative, reference));
        }
        return rows.OrderBy(r => r.StartedUtc).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every folder under <paramref name="root"/> that holds a run.json. Links are not followed (<c>latest</c> points
    /// at a run listed anyway, and a link may lead out of the results folder or round in a loop), a run's checkpoints are
    /// not entered (the trainer creates and deletes folders there), and a folder removed while the walk is inside it is
    /// passed over.</summary>
    private static IEnumerable<string> RunFolders(string root)
    {
        var pending = new Stack<string>([root]);
        var skip = new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            if (File.Exists(Path.Combine(dir, RunFiles.RunInfo))) yield return dir;
            List<string> children;
            try { children = Directory.EnumerateDirectories(dir, "*", skip).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (string child in children.Where(c => Path.GetFileName(c) != RunFiles.Checkpoints).OrderDescending(StringComparer.Ordinal))
                pending.Push(child);
        }
    }

    /// <summary>run.json's status, lower case; <c>crashed</c> for a run marked running whose process is gone.</summary>
    public static string StatusOf(RunInfo info) =>
        info.Status == RunStatus.Running && info.ProcessId is int pid && !IsAlive(pid) ? "crashed" : info.Status.ToString().ToLowerInvariant();

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
