using System.Text;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports;

/// <summary>Renders <c>report/README.md</c>: the HTML report's content in GitHub-flavoured Markdown, with the PNGs
/// referenced beside it, so the report folder reads well in a repository browser.</summary>
public static class MarkdownReport
{
    public static string Render(ReportContent c)
    {
        RunInfo run = c.Run;
        var m = new StringBuilder();
        m.Append($"# {Cell(run.Name)}\n\n")
         .Append("| | |\n|---|---|\n")
         .Append($"| run id | {Cell(run.RunId)} |\n")
         .Append($"| status | **{run.Status.ToString().ToLowerInvariant()}** |\n")
         .Append($"| kind | {Cell(run.Kind)} |\n")
         .Append($"| started | {ReportFormat.Time(run.StartedUtc)} |\n")
         .Append($"| ended | {ReportFormat.Time(run.EndedUtc)} |\n")
         .Append($"| duration | {(c.Duration is { } d ? ReportFormat.Duration(d) : "—")} |\n")
         .Append(run.TotalSteps > 0 ? $"| step | {ReportFormat.Int(run.Step)} / {ReportFormat.Int(run.TotalSteps)} |\n\n" : "\n");
        if (run.Error is { Length: > 0 } error) m.Append($"Error:\n\n{Fence(error, "")}\n");
        foreach (string note in c.Notes) m.Append($"> **Note:** {Cell(note)}\n\n");
        foreach (ReportSection section in c.Sections) m.Append(section.Markdown.TrimEnd()).Append("\n\n");

        m.Append("## Metrics\n\n");
        if (c.Summaries.Count == 0) m.Append("No metrics yet.\n\n");
        else
        {
            m.Append("| split | metric | last | at step | best | at step |\n|---|---|--:|--:|--:|--:|\n");
            foreach (MetricSummary s in c.Summaries)
            {
                string last = s.Count > 0 ? ReportFormat.Value(s.Metric, s.Last) : "—";
                string lastStep = s.Count > 0 ? ReportFormat.Int(s.LastStep) : "—";
                string best = s.Best is { } b ? ReportFormat.Value(s.Metric, b) : "—";
                string bestStep = s.BestStep is { } bs ? ReportFormat.Int(bs) : "—";
                m.Append($"| {Cell(s.Split)} | {Cell(s.Metric)} | {last} | {lastStep} | {best} | {bestStep} |\n");
            }
            m.Append("\nBest is the minimum for loss-like metrics and the maximum for accuracies; — where neither applies.\n\n");
        }

        m.Append("## Plots\n\n");
        if (c.Plots.Count == 0) m.Append("No metrics yet, so no plots.\n\n");
        else if (c.Smoothing > 0)
            m.Append($"Solid lines: exponential moving average (weight {ReportFormat.Number(c.Smoothing)} per logging interval, debiased as in TensorBoard); faded: raw values.\n\n");
        foreach (PlotImage p in c.Plots) m.Append($"![{Cell(p.Metric)}]({p.FileName})\n\n");

        m.Append("## Samples\n\n");
        if (c.Samples.Count == 0) m.Append("No samples yet.\n\n");
        bool first = true;
        foreach (var step in c.SamplesByStepNewestFirst)
        {
            // GitHub renders <details> in Markdown; the blank lines let the fenced blocks inside it render too.
            m.Append(first ? "<details open>" : "<details>").Append($"<summary>step {ReportFormat.Int(step.Key)}</summary>\n\n");
            // One block per record: short generated lines read best as a list, one per line.
            foreach (SampleRecord record in step)
                m.Append($"{Cell(record.Split)} ({record.Texts.Count}):\n\n{Fence(string.Join("\n", record.Texts), "text")}\n");
            m.Append("</details>\n\n");
            first = false;
        }

        m.Append("## Environment\n\n| | |\n|---|---|\n");
        foreach (var (key, value) in c.Environment)
            m.Append($"| {Cell(key)} | {(key == "command line" ? Code(value) : Cell(value))} |\n");

        m.Append("\n## Config\n\n")
         .Append(c.ConfigYaml is { } yaml ? Fence(yaml, "yaml") : $"{RunFiles.Experiment} not found.\n");
        return m.ToString();
    }

    /// <summary>Text safe inside a GFM table cell or paragraph: HTML entities (GitHub would otherwise render or strip
    /// tags), escaped pipes and Markdown punctuation, and no line breaks.</summary>
    internal static string Cell(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\r': break;
                case '\n': sb.Append(' '); break;
                case '|' or '\\' or '`' or '*' or '_' or '[' or ']' or '#': sb.Append('\\').Append(ch); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Inline code span whose backtick fence is longer than any backtick run in the text (CommonMark 6.1).</summary>
    private static string Code(string text)
    {
        string fence = new('`', LongestRun(text, '`') + 1);
        return $"{fence} {text.Replace("|", "\\|").ReplaceLineEndings(" ")} {fence}";
    }

    /// <summary>Fenced block that the text cannot close early: the fence is longer than its longest backtick run.</summary>
    private static string Fence(string text, string info)
    {
        string fence = new('`', Math.Max(3, LongestRun(text, '`') + 1));
        return $"{fence}{info}\n{text.TrimEnd('\n', '\r')}\n{fence}\n";
    }

    private static int LongestRun(string text, char ch)
    {
        int longest = 0, run = 0;
        foreach (char c in text) { run = c == ch ? run + 1 : 0; longest = Math.Max(longest, run); }
        return longest;
    }
}
