using System.Net;
using System.Text;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports;

/// <summary>Renders <c>report/index.html</c>: one self-contained file (inline CSS, PNGs as data URIs) that opens
/// from disk or as a mail attachment. Every string from the run folder goes through <see cref="E"/>.</summary>
public static class HtmlReport
{
    internal const string Css = """
        body { font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
        h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 0.5em 0; } th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f4f4f4; }
        .status { display: inline-block; padding: 0.1em 0.6em; border-radius: 0.8em; color: #fff; font-weight: bold; }
        .running { background: #1f77b4; } .completed { background: #2ca02c; } .failed { background: #d62728; } .interrupted { background: #ff7f0e; }
        .error { color: #d62728; white-space: pre-wrap; } .note { background: #fff8e1; border-left: 4px solid #ffb300; padding: 0.3em 0.8em; }
        img { max-width: 100%; height: auto; display: block; margin: 0.5em 0 1.2em; }
        pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
        details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: bold; }
        .pass { color: #2ca02c; font-weight: bold; } .fail { color: #d62728; font-weight: bold; }
        .tokens span { border-radius: 3px; padding: 1px 0; line-height: 1.9; white-space: pre-wrap; font-family: "DejaVu Sans Mono", monospace; }
        """;

    public static string Render(ReportContent c)
    {
        RunInfo run = c.Run;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append($"<title>{E(run.Name)} · {E(run.RunId)}</title>\n<style>\n{Css}\n</style>\n</head>\n<body>\n");

        string status = run.Status.ToString().ToLowerInvariant();
        h.Append($"<h1>{E(run.Name)}</h1>\n<table>\n")
         .Append($"<tr><th>run id</th><td>{E(run.RunId)}</td></tr>\n")
         .Append($"<tr><th>status</th><td><span class=\"status {status}\">{status}</span></td></tr>\n")
         .Append($"<tr><th>kind</th><td>{E(run.Kind)}</td></tr>\n")
         .Append($"<tr><th>started</th><td>{ReportFormat.Time(run.StartedUtc)}</td></tr>\n")
         .Append($"<tr><th>ended</th><td>{ReportFormat.Time(run.EndedUtc)}</td></tr>\n")
         .Append($"<tr><th>duration</th><td>{(c.Duration is { } d ? ReportFormat.Duration(d) : "—")}</td></tr>\n")
         .Append(run.TotalSteps > 0 ? $"<tr><th>step</th><td>{ReportFormat.Int(run.Step)} / {ReportFormat.Int(run.TotalSteps)}</td></tr>\n" : "")
         .Append("</table>\n");
        if (run.Error is { Length: > 0 } error) h.Append($"<p class=\"error\">{E(error)}</p>\n");
        foreach (string note in c.Notes) h.Append($"<p class=\"note\">{E(note)}</p>\n");
        // Sections are HTML the experiment wrote (and escaped) itself; only their image references are rewritten.
        foreach (ReportSection section in c.Sections) h.Append(ReportSections.InlineImages(section.Html, c.SectionImages)).Append('\n');

        h.Append("<h2>Metrics</h2>\n");
        if (c.Summaries.Count == 0) h.Append("<p>No metrics yet.</p>\n");
        else
        {
            h.Append("<table>\n<tr><th>split</th><th>metric</th><th>last</th><th>at step</th><th>best</th><th>at step</th></tr>\n");
            foreach (MetricSummary s in c.Summaries)
            {
                string last = s.Count > 0 ? ReportFormat.Value(s.Metric, s.Last) : "—";
                string lastStep = s.Count > 0 ? ReportFormat.Int(s.LastStep) : "—";
                string best = s.Best is { } b ? ReportFormat.Value(s.Metric, b) : "—";
                string bestStep = s.BestStep is { } bs ? ReportFormat.Int(bs) : "—";
                h.Append($"<tr><td>{E(s.Split)}</td><td>{E(s.Metric)}</td><td class=\"num\">{last}</td><td class=\"num\">{lastStep}</td>")
                 .Append($"<td class=\"num\">{best}</td><td class=\"num\">{bestStep}</td></tr>\n");
            }
            h.Append("</table>\n<p>Best is the minimum for loss-like metrics and the maximum for accuracies; — where neither applies.</p>\n");
        }

        h.Append("<h2>Plots</h2>\n");
        if (c.Plots.Count == 0) h.Append("<p>No metrics yet, so no plots.</p>\n");
        else if (c.Smoothing > 0)
            h.Append($"<p>Solid lines: exponential moving average (weight {ReportFormat.Number(c.Smoothing)} per logging interval, debiased as in TensorBoard); faded: raw values.</p>\n");
        foreach (PlotImage p in c.Plots)
            h.Append($"<img alt=\"{E(p.Title)}\" title=\"{E(p.FileName)}\" width=\"{MetricPlots.Width}\" height=\"{MetricPlots.Height}\" ")
             .Append($"src=\"data:image/png;base64,{Convert.ToBase64String(p.Png)}\">\n");

        h.Append("<h2>Samples</h2>\n");
        if (c.Samples.Count == 0) h.Append("<p>No samples yet.</p>\n");
        bool first = true;
        foreach (var step in c.SamplesByStepNewestFirst)
        {
            h.Append(first ? "<details open>" : "<details>").Append($"<summary>step {ReportFormat.Int(step.Key)}</summary>\n");
            foreach (SampleRecord record in step)
                h.Append($"<p>{E(record.Split)} ({record.Texts.Count})</p><pre>{E(string.Join("\n", record.Texts))}</pre>\n");
            h.Append("</details>\n");
            first = false;
        }

        h.Append("<h2>Environment</h2>\n<table>\n");
        foreach (var (key, value) in c.Environment)
            h.Append($"<tr><th>{E(key)}</th><td>{(key == "command line" ? $"<code>{E(value)}</code>" : E(value))}</td></tr>\n");
        h.Append("</table>\n");

        h.Append("<h2>Config</h2>\n")
         .Append(c.ConfigYaml is { } yaml ? $"<pre>{E(yaml)}</pre>\n" : $"<p>{RunFiles.Experiment} not found.</p>\n")
         .Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
