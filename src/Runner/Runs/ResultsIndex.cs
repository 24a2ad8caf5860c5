using GenLab.Reports;
using GenLab.Runner.Commands;

namespace GenLab.Runner.Runs;

/// <summary>Keeps <c>results/index.html</c> (<see cref="ResultsIndexPage"/>) current: rewritten after every run,
/// atomically, so a browser reloading it never sees half a page and two runs ending together leave one whole index.</summary>
public static class ResultsIndex
{
    /// <summary>What the index's checkboxes put before the run folders: the README's way to run genlab.</summary>
    public const string CompareCommand = "dotnet run --project src/Runner -- compare";

    /// <param name="resultsRoot">The results folder.</param>
    /// <param name="resultsDisplay">How commands name it (as the user gave it, e.g. <c>results</c>).</param>
    /// <returns>The index's path.</returns>
    public static string Write(string resultsRoot, string? resultsDisplay = null)
    {
        string display = (resultsDisplay ?? Commands.CompareCommand.Display(Path.GetFullPath(resultsRoot))).TrimEnd('/', '\\');
        var entries = RunCatalog.Find(resultsRoot);
        var varying = ListCommand.VaryingKeys(entries);
        var rows = entries.Select(e => new IndexRow(e.Name, e.RunId, e.Kind, e.Status, e.Step, e.TotalSteps, e.Best, e.StartedUtc,
            e.Duration, e.ReportRelative, $"{display}/{e.RelativePath}",
            string.Join(" ", varying[e.Path].Select(k => $"{k.Key}={k.Value}")), e.IsReference)).ToList();
        string html = ResultsIndexPage.Render(rows, display, CompareCommand, DateTimeOffset.UtcNow);

        Directory.CreateDirectory(resultsRoot);
        string path = Path.Combine(resultsRoot, ResultsIndexPage.FileName);
        string temp = Path.Combine(resultsRoot, $".{ResultsIndexPage.FileName}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, html);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
