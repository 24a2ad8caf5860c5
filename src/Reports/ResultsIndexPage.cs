using System.Net;
using System.Text;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports;

/// <summary>One run in the results index.</summary>
/// <param name="ReportHref">The run's report relative to the index (null: none written yet).</param>
/// <param name="CommandPath">The run folder as a command typed where genlab runs names it (<c>results/tiny/2026…</c>).</param>
/// <param name="Config">The config keys that tell this run from the other runs of its experiment.</param>
public sealed record IndexRow(string Name, string RunId, string Kind, string Status, long Step, long TotalSteps, BestMetric? Best,
    DateTimeOffset StartedUtc, TimeSpan? Duration, string? ReportHref, string CommandPath, string Config, bool IsReference);

/// <summary>Renders <c>results/index.html</c>: every run with its status, kind, steps, best metric, duration and a link
/// to its report, newest first, and checkboxes that write the <c>compare</c> command for the runs ticked. One
/// self-contained file that opens from disk; its script only builds that command.</summary>
public static class ResultsIndexPage
{
    public const string FileName = "index.html";

    private const string Css = """
        body { max-width: 1300px; }
        #command { font-family: "DejaVu Sans Mono", monospace; width: 100%; box-sizing: border-box; padding: 0.5em; min-height: 2.6em; }
        .cfg { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; } tr.reference td { background: #f3f6fb; }
        .crashed { background: #7f7f7f; } .muted { color: #777; }
        """;

    /// <param name="compareCommand">The command line that compares, the run paths appended: <c>genlab compare</c>.</param>
    public static string Render(IReadOnlyList<IndexRow> rows, string resultsDisplay, string compareCommand, DateTimeOffset written)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append($"<title>GenLab runs · {E(resultsDisplay)}</title>\n<style>\n{HtmlReport.Css}\n{Css}\n</style>\n</head>\n<body>\n")
         .Append($"<h1>GenLab runs</h1>\n<p class=\"muted\">{rows.Count} run(s) in <code>{E(resultsDisplay)}</code>, as of {ReportFormat.Time(written)}. ")
         .Append("Tick two or more runs to get the command that compares them; <code>genlab serve</code> shows the same live.</p>\n");
        h.Append("<p><label for=\"command\">compare command</label></p>\n")
         .Append("<textarea id=\"command\" readonly placeholder=\"tick two or more runs\"></textarea>\n")
         .Append("<p><button id=\"copy\" type=\"button\">copy</button> <span id=\"copied\" class=\"muted\"></span></p>\n");
        if (rows.Count == 0) h.Append("<p>No runs yet.</p>\n");
        else
        {
            h.Append("<table id=\"runs\">\n<tr><th></th><th>experiment</th><th>status</th><th>kind</th><th>steps</th><th>best</th>")
             .Append("<th>duration</th><th>started</th><th>config</th><th>run</th></tr>\n");
            foreach (var r in rows.OrderByDescending(r => r.StartedUtc).ThenByDescending(r => r.RunId, StringComparer.Ordinal))
            {
                string best = r.Best is { } b ? $"{b.Split} {b.Metric} {ReportFormat.Value(b.Metric, b.Value)} @{ReportFormat.Int(b.Step)}" : "—";
                string steps = r.TotalSteps > 0 ? $"{ReportFormat.Int(r.Step)} / {ReportFormat.Int(r.TotalSteps)}" : "—";
                string run = r.ReportHref is { } href ? $"<a href=\"{E(href)}\">{E(r.RunId)}</a>" : E(r.RunId);
                h.Append(r.IsReference ? "<tr class=\"reference\">" : "<tr>")
                 .Append($"<td><input type=\"checkbox\" class=\"pick\" value=\"{E(r.CommandPath)}\" aria-label=\"compare {E(r.RunId)}\"></td>")
                 .Append($"<td>{E(r.Name)}</td><td><span class=\"status {E(r.Status)}\">{E(r.Status)}{(r.IsReference ? " · reference" : "")}</span></td>")
                 .Append($"<td>{E(r.Kind)}</td><td class=\"num\">{steps}</td><td class=\"num\">{E(best)}</td>")
                 .Append($"<td class=\"num\">{(r.Duration is { } d ? ReportFormat.Duration(d) : "—")}</td><td>{ReportFormat.Time(r.StartedUtc)}</td>")
                 .Append($"<td class=\"cfg\">{E(r.Config)}</td><td>{run}</td></tr>\n");
            }
            h.Append("</table>\n");
        }
        // The command quotes each path as a POSIX shell would, so a folder with a space still pastes back.
        h.Append("<script>\n")
         .Append($"const prefix = {System.Text.Json.JsonSerializer.Serialize(compareCommand)};\n")
         .Append("""
            const quote = p => /^[A-Za-z0-9_.\/:=@%+,-]+$/.test(p) ? p : "'" + p.replace(/'/g, "'\\''") + "'";
            function update() {
              const picked = [...document.querySelectorAll('input.pick:checked')].map(c => quote(c.value));
              document.getElementById('command').value = picked.length >= 2 ? prefix + ' ' + picked.join(' ') : '';
            }
            document.querySelectorAll('input.pick').forEach(c => c.addEventListener('change', update));
            document.getElementById('copy').addEventListener('click', () => {
              const box = document.getElementById('command');
              box.select();
              const done = navigator.clipboard ? navigator.clipboard.writeText(box.value) : Promise.resolve(document.execCommand('copy'));
              done.then(() => document.getElementById('copied').textContent = 'copied', () => {});
            });
            update();

            """)
         .Append("</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
