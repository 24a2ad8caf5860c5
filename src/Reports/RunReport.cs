namespace GenLab.Reports;

/// <summary>Writes a run's report into <c>runDir/report/</c>: <c>index.html</c>, <c>README.md</c> and one PNG per metric.</summary>
public static class RunReport
{
    public const string Html = "index.html";
    public const string Markdown = "README.md";

    /// <summary>Reads only files in <paramref name="runDir"/>; returns the full paths written. Safe to call while the run
    /// is still writing: the readers skip a torn last line, and every output is written under a temp name and then
    /// renamed, so a crash (or a browser reloading) never sees half a file. PNGs go first, index.html last.</summary>
    public static IReadOnlyList<string> Write(string runDir, ReportOptions options)
    {
        options.Validate();
        ReportContent content = ReportContent.Read(runDir, options);
        string reportDir = Path.Combine(runDir, RunFolder.RunFiles.Report);
        Directory.CreateDirectory(reportDir);

        var outputs = new List<(string Name, byte[] Bytes)>();
        outputs.AddRange(content.Plots.Select(p => (p.FileName, p.Png)));
        outputs.AddRange(content.SectionImages.Select(i => (i.Key, i.Value)));
        outputs.Add((Markdown, System.Text.Encoding.UTF8.GetBytes(MarkdownReport.Render(content))));
        outputs.Add((Html, System.Text.Encoding.UTF8.GetBytes(HtmlReport.Render(content))));

        var written = new List<string>(outputs.Count);
        foreach (var (name, bytes) in outputs)
        {
            string path = Path.Combine(reportDir, name);
            string temp = Path.Combine(reportDir, $".{name}.{Environment.ProcessId}.tmp");
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }
}
