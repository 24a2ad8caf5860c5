using System.Diagnostics;
using System.Globalization;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

public static class ListCommand
{
    public sealed record RunRow(string Name, string RunId, string Status, long Step, long TotalSteps, BestMetric? Best,
        DateTimeOffset StartedUtc, string Path);

    /// <summary>Every run under <paramref name="resultsRoot"/>, oldest first. A run marked running whose process is
    /// gone (killed, power cut) is shown as <c>crashed</c>: run.json could not say so itself.</summary>
    public static IReadOnlyList<RunRow> Find(string resultsRoot)
    {
        var rows = new List<RunRow>();
        if (!Directory.Exists(resultsRoot)) return rows;
        // Links are not followed: `latest` points at a run listed anyway, and a link may lead out of the results folder
        // or round in a loop.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (string runJson in Directory.EnumerateFiles(resultsRoot, RunFiles.RunInfo, walk))
        {
            string dir = System.IO.Path.GetDirectoryName(runJson)!;
            if (dir.Contains(System.IO.Path.DirectorySeparatorChar + RunFiles.Checkpoints + System.IO.Path.DirectorySeparatorChar)) continue;
            RunInfo info;
            try { info = RunInfo.Read(dir); }
            catch (Exception e) when (e is System.Text.Json.JsonException or IOException or InvalidDataException) { continue; }
            string status = info.Status.ToString().ToLowerInvariant();
            if (info.Status == RunStatus.Running && info.ProcessId is int pid && !IsAlive(pid)) status = "crashed";
            rows.Add(new RunRow(info.Name, info.RunId, status, info.Step, info.TotalSteps, info.Best, info.StartedUtc, dir));
        }
        return rows.OrderBy(r => r.StartedUtc).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
    }

    public static int Execute(string resultsRoot)
    {
        if (File.Exists(resultsRoot)) return CliErrors.Report($"{resultsRoot} is a file; list takes the results folder");
        var rows = Find(resultsRoot);
        if (rows.Count == 0)
        {
            Console.WriteLine($"no runs under {resultsRoot}");
            return ExitCodes.Ok;
        }
        string[] header = ["NAME", "RUN", "STATUS", "STEPS", "BEST", "STARTED (UTC)"];
        var table = rows.Select(r => new[]
        {
            r.Name, r.RunId, r.Status, $"{r.Step}/{r.TotalSteps}",
            r.Best is null ? "-" : $"{r.Best.Split} {r.Best.Metric} {r.Best.Value.ToString("F4", CultureInfo.InvariantCulture)} @{r.Best.Step}",
            r.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        }).ToList();
        int[] widths = header.Select((h, i) => Math.Max(h.Length, table.Max(row => row[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in table) Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return ExitCodes.Ok;
    }

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
