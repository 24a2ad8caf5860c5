using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Compare;

/// <summary>Renders a <see cref="Comparison"/> as a run report is rendered: <c>index.html</c> (one self-contained file,
/// images inline, opens from disk or from <c>genlab serve</c>) and <c>README.md</c> with the PNGs beside it. Every part is
/// written through one <see cref="SectionBuilder"/>, so the two say the same thing.</summary>
public static class ComparisonReport
{
    public const string Html = "index.html";
    public const string Markdown = "README.md";
    /// <summary>Runs a page sets side by side, a column (or two) each: more make the columns too narrow to read. A sweep
    /// may hold more; its page then gives a row per run (the sweep table) and the overlaid curves, and leaves the
    /// per-run columns out.</summary>
    public const int MaxColumns = 6;

    private const string Css = """
        body { max-width: 1400px; }
        .sbs { display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr)); gap: 1em; align-items: start; }
        .sbs > div { min-width: 0; } .who { font-weight: bold; border-bottom: 2px solid #ccc; margin-bottom: 0.3em; }
        .sbs pre { margin: 0.2em 0; } td.better { font-weight: bold; background: #e8f5e9; } td.differs { background: #fff3e0; }
        .runs td a { word-break: break-all; } .missing { color: #888; font-style: italic; }
        tr.best th, tr.best td { background: #e8f5e9; }
        """;

    /// <summary>The page in both forms and the PNGs README.md refers to (index.html has them inline).</summary>
    public sealed record Rendered(string Html, string Markdown, IReadOnlyList<(string FileName, byte[] Png)> Images);

    /// <summary>Writes index.html, README.md and the PNGs into <paramref name="outDir"/>, each under a temp name renamed
    /// into place (index.html last); returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string outDir, Comparison comparison)
    {
        var page = Render(comparison);
        Directory.CreateDirectory(outDir);
        var outputs = page.Images.Select(i => (i.FileName, i.Png)).ToList();
        outputs.Add((Markdown, Encoding.UTF8.GetBytes(page.Markdown)));
        outputs.Add((Html, Encoding.UTF8.GetBytes(page.Html)));
        var written = new List<string>();
        foreach (var (name, bytes) in outputs)
        {
            string path = Path.Combine(outDir, name);
            string temp = Path.Combine(outDir, $".{name}.{Environment.ProcessId}.tmp");
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }

    public static Rendered Render(Comparison c)
    {
        var runs = c.Runs;
        var b = new SectionBuilder();
        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        bool columns = runs.Count <= MaxColumns;
        if (c.Sweep is { } sweep) SweepTable(b, c, sweep);
        else RunsTable(b, runs);
        foreach (string note in c.Notes) b.Note(note);
        if (!c.SameKind)
            b.Note($"These runs are of different kinds ({string.Join(", ", runs.Select(r => $"{r.Label}: {r.Info.Kind}"))}): "
                + "only what they share is compared — the config keys they all have, the metrics and the report sections at least two of them wrote.");

        ConfigPart(b, c);
        EnvironmentPart(b, c);
        if (c.Sweep is null) ResultsPart(b, c);
        if (columns) MetricsPart(b, c);

        var plots = CurveOverlay.Render(runs, c.Smoothing);
        b.Heading("Curves").Raw("<div id=\"curves\">\n", "");
        if (plots.Count == 0) b.Paragraph("No metric was logged by two of the runs.");
        else
            b.Paragraph("Each metric on one plot with shared axes: a colour per run; validation solid, training batches dashed"
                + (c.Smoothing > 0 ? $" (their EMA, weight {ReportFormat.Number(c.Smoothing)})" : "") + ", training-set evaluations dotted.");
        foreach (var plot in plots)
        {
            images[plot.FileName] = plot.Png;
            b.Raw($"<figure><img class=\"curve\" data-metric=\"{E(plot.Metric)}\" alt=\"{E(plot.Title)}\" src=\"{E(plot.FileName)}\" "
                + $"width=\"{MetricPlots.Width}\" height=\"{MetricPlots.Height}\"></figure>\n", $"![{MarkdownReport.Cell(plot.Title)}]({plot.FileName})\n\n");
        }
        b.Raw("</div>\n", "");

        if (columns)
        {
            SamplesPart(b, c);
            SectionsPart(b, c, images);
        }
        else
            b.Note($"{runs.Count} runs: samples, metrics and report sections side by side are shown for up to {MaxColumns}; "
                + "each run's own report is linked above, and `genlab compare` sets a few of them side by side.");

        string title = c.Sweep is { } s
            ? $"Sweep: {s.Title} ({runs.Count} runs)"
            : $"Comparison: {string.Join(" vs ", runs.Select(r => $"{r.Info.Name} ({r.Label})"))}";
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append($"<title>{E(title)}</title>\n<style>\n{HtmlReport.Css}\n{Css}\n</style>\n</head>\n<body>\n")
            .Append($"<h1>{E(title)}</h1>\n")
            .Append(ReportSections.InlineImages(b.Html, images))
            .Append("</body>\n</html>\n").ToString();
        string markdown = $"# {MarkdownReport.Cell(title)}\n\n{b.Markdown.TrimEnd()}\n";
        return new Rendered(html, markdown, [.. images.Select(i => (i.Key, i.Value))]);
    }

    private static void RunsTable(SectionBuilder b, IReadOnlyList<ComparedRun> runs)
    {
        var html = new StringBuilder("<table class=\"runs\"><tr><th></th><th>experiment</th><th>run</th><th>kind</th><th>status</th>"
            + "<th>steps</th><th>duration</th><th>folder</th></tr>\n");
        var md = new StringBuilder("| | experiment | run | kind | status | steps | duration | folder |\n|---|---|---|---|---|--:|--:|---|\n");
        foreach (var r in runs)
        {
            var i = r.Info;
            string status = i.Status.ToString().ToLowerInvariant() + (r.IsReference ? " (reference)" : "");
            string steps = i.TotalSteps > 0 ? $"{ReportFormat.Int(i.Step)} / {ReportFormat.Int(i.TotalSteps)}" : "—";
            string duration = i.EndedUtc is { } end ? ReportFormat.Duration(end - i.StartedUtc) : "—";
            string folder = r.ReportHref is { } href ? $"<a href=\"{E(href)}\">{E(r.Display)}</a>" : $"<code>{E(r.Display)}</code>";
            html.Append($"<tr><th>{E(r.Label)}</th><td>{E(i.Name)}</td><td>{E(i.RunId)}</td><td>{E(i.Kind)}</td>")
                .Append($"<td><span class=\"status {i.Status.ToString().ToLowerInvariant()}\">{E(status)}</span></td>")
                .Append($"<td class=\"num\">{steps}</td><td class=\"num\">{duration}</td><td>{folder}</td></tr>\n");
            string mdFolder = r.ReportHref is { } h && !h.StartsWith('/') ? $"[{MarkdownReport.Cell(r.Display)}]({h.Replace(" ", "%20")})" : MarkdownReport.Cell(r.Display);
            md.Append($"| **{r.Label}** | {MarkdownReport.Cell(i.Name)} | {MarkdownReport.Cell(i.RunId)} | {MarkdownReport.Cell(i.Kind)} | {status} | {steps} | {duration} | {mdFolder} |\n");
        }
        b.Raw(html.Append("</table>\n").ToString(), md.Append('\n').ToString());
    }

    /// <summary>A sweep's runs, a row each: the swept keys as columns, status, the named results (★ the better value of
    /// each) and a link to the run's report; the best run (<see cref="SweepColumns.Best"/>) is marked and named.</summary>
    private static void SweepTable(SectionBuilder b, Comparison c, SweepColumns sweep)
    {
        var runs = c.Runs;
        int? best = SweepColumns.Best([.. runs.Select(r => r.Info)]);
        var names = c.ResultNames();
        if (best is { } w && runs[w].Info.Best is { } m)
            b.Paragraph($"★ Best run: {runs[w].Label} ({Label(sweep, w)}), {m.Split} {m.Metric} {ReportFormat.Value(m.Metric, m.Value)} at step "
                + $"{ReportFormat.Int(m.Step)}.");
        var results = names.Select(name =>
        {
            var values = runs.Select(r => r.Results.TryGetValue(name, out double v) ? v : (double?)null).ToList();
            return (name, values, better: MetricComparison.Better(values, MetricSummary.GoalOf(name)));
        }).ToList();

        var html = new StringBuilder("<table class=\"runs sweep\"><tr><th>run</th>")
            .AppendJoin("", sweep.Keys.Select(k => $"<th>{E(k)}</th>")).Append("<th>status</th><th>steps</th>")
            .AppendJoin("", names.Select(n => $"<th>{E(n)}</th>")).Append("<th>duration</th><th>folder</th></tr>\n");
        var md = new StringBuilder("| run | ").AppendJoin("", sweep.Keys.Select(k => $"{MarkdownReport.Cell(k)} | ")).Append("status | steps | ")
            .AppendJoin("", names.Select(n => $"{MarkdownReport.Cell(n)} | ")).Append("duration | folder |\n|---|")
            .AppendJoin("", sweep.Keys.Select(_ => "---|")).Append("---|--:|").AppendJoin("", names.Select(_ => "--:|")).Append("--:|---|\n");
        for (int i = 0; i < runs.Count; i++)
        {
            var info = runs[i].Info;
            string label = runs[i].Label + (best == i ? " ★" : "");
            string status = info.Status.ToString().ToLowerInvariant();
            string steps = info.TotalSteps > 0 ? $"{ReportFormat.Int(info.Step)} / {ReportFormat.Int(info.TotalSteps)}" : "—";
            string duration = info.EndedUtc is { } end ? ReportFormat.Duration(end - info.StartedUtc) : "—";
            var values = sweep.Values[i].Select(v => v ?? "(file)").ToList();
            var cells = results.Select(r => r.values[i] is { } v
                ? (Text: Number(v) + (runs[i].Expected.TryGetValue(r.name, out var e) ? e.Passed ? " ✓" : " ✗" : "") + (r.better == i ? " ★" : ""), Better: r.better == i)
                : (Text: "—", Better: false)).ToList();
            string folder = runs[i].ReportHref is { } href ? $"<a href=\"{E(href)}\">{E(runs[i].Display)}</a>" : $"<code>{E(runs[i].Display)}</code>";
            html.Append(best == i ? "<tr class=\"best\">" : "<tr>").Append($"<th>{E(label)}</th>")
                .AppendJoin("", values.Select(v => $"<td>{E(v)}</td>"))
                .Append($"<td><span class=\"status {status}\">{E(status)}</span></td><td class=\"num\">{steps}</td>")
                .AppendJoin("", cells.Select(x => $"<td class=\"num{(x.Better ? " better" : "")}\">{E(x.Text)}</td>"))
                .Append($"<td class=\"num\">{duration}</td><td>{folder}</td></tr>\n");
            string mdFolder = runs[i].ReportHref is { } h && !h.StartsWith('/') ? $"[{MarkdownReport.Cell(runs[i].Display)}]({h.Replace(" ", "%20")})" : MarkdownReport.Cell(runs[i].Display);
            md.Append($"| **{MarkdownReport.Cell(label)}** | ").AppendJoin("", values.Select(v => $"{MarkdownReport.Cell(v)} | "))
                .Append($"{status} | {steps} | ").AppendJoin("", cells.Select(x => $"{MarkdownReport.Cell(x.Text)} | ")).Append($"{duration} | {mdFolder} |\n");
        }
        b.Raw(html.Append("</table>\n").ToString(), md.Append('\n').ToString());
        if (names.Count > 0)
            b.Paragraph("Named results from each run's results.json; "
                + (runs.Any(r => r.Expected.Count > 0) ? "✓/✗: the run's own expectation; " : "")
                + "★: the better value where the name says which is better (lower loss, higher accuracy).");
    }

    private static string Label(SweepColumns sweep, int run) =>
        string.Join(", ", sweep.Keys.Select((k, i) => sweep.Values[run][i] is { } v ? $"{k}={v}" : null).Where(x => x is not null));

    private static void ConfigPart(SectionBuilder b, Comparison c)
    {
        b.Heading("Config: what differs").Raw("<div id=\"config-diff\">\n", "");
        // A sweep's table shows its keys; anything else that differs between its runs is worth a second look.
        var diff = c.Config.Differences.Where(d => c.Sweep?.Keys.Contains(d.Key) != true).ToList();
        if (c.Sweep is { } sweep && diff.Count == 0)
            b.Paragraph($"Only the swept keys differ ({string.Join(", ", sweep.Keys)}); the other {c.Config.SameKeys} keys are the same in every run.");
        else if (diff.Count == 0) b.Paragraph($"The resolved configs are identical ({c.Config.SameKeys} keys).");
        else
        {
            b.Paragraph($"Only the keys whose values differ ({diff.Count}); the other {c.Config.SameKeys} keys are the same in every run.");
            b.Table(["key", .. c.Runs.Select(r => r.Label)],
                diff.Select(d => (IReadOnlyList<TableCell>)[new TableCell(d.Key, "key"), .. d.Values.Select(v => v is null
                    ? new TableCell("(absent)", "missing") : new TableCell(v, "differs"))]));
        }
        b.Raw("</div>\n", "");
    }

    private static void EnvironmentPart(SectionBuilder b, Comparison c)
    {
        b.Heading("Environment");
        var rows = c.Environment();
        var same = Comparison.KeyEnvironment.Where(k => rows.All(r => r.Property != k)).ToList();
        if (rows.Count == 0) { b.Paragraph("Same code commit, code, data, threads, backend, CPU and libraries."); return; }
        if (same.Count > 0) b.Paragraph($"Same {Join(same)}; what differs:");
        b.Table(["", .. c.Runs.Select(r => r.Label)], rows.Select(r => (IReadOnlyList<TableCell>)[r.Property, .. r.Values.Select(v => new TableCell(v))]));
        if (rows.Any(r => r.Property is "threads" or "backend" or "CPU" or "MKL on AMD" or "tensor memory"))
            b.Paragraph("Runs on other threads, backends or processors add their rounding in another order: the same seed then gives "
                + "close, not identical, numbers.");
    }

    private static void ResultsPart(SectionBuilder b, Comparison c)
    {
        var names = c.ResultNames();
        if (names.Count == 0) return;
        b.Heading("Results").Paragraph("The named results of each run (results.json); ✓/✗: the run's own expectation; ★: the better "
            + "value where the name says which is better (lower loss, higher accuracy).");
        b.Table(["result", "expected", .. c.Runs.Select(r => r.Label)], names.Select(name =>
        {
            var values = c.Runs.Select(r => r.Results.TryGetValue(name, out double v) ? v : (double?)null).ToList();
            int? better = MetricComparison.Better(values, MetricSummary.GoalOf(name));
            string rule = c.Runs.Select(r => r.Expected.GetValueOrDefault(name)?.Rule).FirstOrDefault(x => x is not null) ?? "";
            var cells = c.Runs.Select((r, i) =>
            {
                if (values[i] is not { } v) return new TableCell("—", "num");
                string text = Number(v) + Delta(values[0], v, i, Number);
                if (r.Expected.TryGetValue(name, out var e)) text += e.Passed ? " ✓" : " ✗";
                if (better == i) text += " ★";
                return new TableCell(text, better == i ? "num better" : "num");
            });
            return (IReadOnlyList<TableCell>)[name, rule, .. cells];
        }), numeric: [false, false, .. c.Runs.Select(_ => true)]);
    }

    private static void MetricsPart(SectionBuilder b, Comparison c)
    {
        b.Heading("Metrics").Raw("<div id=\"metrics\">\n", "");
        var metrics = c.Metrics();
        if (metrics.Count == 0) b.Paragraph("No metric was logged by two of the runs.");
        else
        {
            b.Paragraph($"Final and best value of each series (step after @); in brackets the difference from {c.Runs[0].Label}; ★ the better "
                + "run (lower loss, higher accuracy; none for learning rate and speed).");
            b.Table(["split", "metric", .. c.Runs.SelectMany(r => new[] { $"{r.Label} final", $"{r.Label} best" })], metrics.Select(m =>
            {
                int? betterFinal = m.BetterFinal, betterBest = m.BetterBest;
                var first = m.Runs[0];
                var cells = m.Runs.SelectMany((s, i) =>
                {
                    if (s is null || s.Count == 0) return new[] { new TableCell("—", "num"), new TableCell("—", "num") };
                    string V(double v) => ReportFormat.Value(m.Metric, v);
                    string final = $"{V(s.Last)} @{ReportFormat.Int(s.LastStep)}"
                        + Delta(first is { Count: > 0 } ? first.Last : null, s.Last, i, V) + (betterFinal == i ? " ★" : "");
                    string best = s.Best is { } bv
                        ? $"{V(bv)} @{ReportFormat.Int(s.BestStep ?? 0)}" + Delta(first?.Best, bv, i, V) + (betterBest == i ? " ★" : "")
                        : "—";
                    return new[] { new TableCell(final, betterFinal == i ? "num better" : "num"), new TableCell(best, betterBest == i ? "num better" : "num") };
                });
                return (IReadOnlyList<TableCell>)[m.Split, m.Metric, .. cells];
            }), numeric: [false, false, .. c.Runs.SelectMany(_ => new[] { true, true })]);
        }
        b.Raw("</div>\n", "");
    }

    private static void SamplesPart(SectionBuilder b, Comparison c)
    {
        if (c.Rules.Samples is not { } rule) return;
        var last = c.Runs.Select(r => r.Samples.Count == 0 ? null : r.Samples.GroupBy(s => s.Step).MaxBy(g => g.Key)).ToList();
        if (last.Count(l => l is not null) < 2) return;
        b.Heading(rule.Title).Paragraph(rule.Explanation);
        // Each run's texts keyed by prompt (or position), in the first run's order.
        var keyed = last.Select(g => (g?.SelectMany(s => s.Texts) ?? []).Select((text, i) => rule.PromptSeparator is { } sep
            && text.IndexOf(sep, StringComparison.Ordinal) is var at and >= 0
                ? (Key: text[..at], Text: text[(at + sep.Length)..]) : (Key: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Text: text))
            .GroupBy(x => x.Key).ToDictionary(x => x.Key, x => x.First().Text)).ToList();
        var keys = keyed.SelectMany(k => k.Keys).Distinct().ToList();
        string keyHeader = rule.PromptSeparator is null ? "#" : "prompt";
        var headers = c.Runs.Select((r, i) => last[i] is { } g ? $"{r.Label} (step {ReportFormat.Int(g.Key)})" : r.Label).ToList();

        var html = new StringBuilder($"<table class=\"samples\"><tr><th>{keyHeader}</th>")
            .AppendJoin("", headers.Select(h => $"<th>{E(h)}</th>")).Append("</tr>\n");
        var md = new StringBuilder($"| {keyHeader} | ").AppendJoin(" | ", headers.Select(MarkdownReport.Cell)).Append(" |\n|---|")
            .AppendJoin("", headers.Select(_ => "---|")).Append('\n');
        foreach (string key in keys)
        {
            html.Append($"<tr><td>{E(key)}</td>").AppendJoin("", keyed.Select(k => k.TryGetValue(key, out string? t)
                ? $"<td><pre>{E(t)}</pre></td>" : "<td class=\"missing\">—</td>")).Append("</tr>\n");
            md.Append($"| {MarkdownReport.Cell(key)} | ").AppendJoin(" | ", keyed.Select(k => k.TryGetValue(key, out string? t)
                ? MarkdownReport.Cell(t.TrimEnd().Replace("\n", " ↵ ", StringComparison.Ordinal)) : "—")).Append(" |\n");
        }
        b.Raw(html.Append("</table>\n").ToString(), md.Append('\n').ToString());
    }

    private static void SectionsPart(SectionBuilder b, Comparison c, Dictionary<string, byte[]> images)
    {
        var sections = c.Sections();
        var unpaired = c.UnpairedSections();
        if (sections.Count == 0 && unpaired.Count == 0) return;
        foreach (var (slug, parts) in sections)
        {
            var keys = parts.Where(p => p is not null).SelectMany(p => p!.Select(x => c.Rules.TitleKey(x.Title))).Distinct().ToList();
            for (int k = 0; k < keys.Count; k++)
            {
                var at = parts.Select(p => p?.FirstOrDefault(x => c.Rules.TitleKey(x.Title) == keys[k])).ToList();
                int level = at.First(p => p is not null)!.Level;
                string title = keys[k].Length > 0 ? keys[k] : slug;
                b.Heading(k == 0 ? $"{title} (side by side)" : title, k == 0 ? 2 : Math.Min(4, Math.Max(3, level)));
                ComparePart(b, c, at, images);
            }
        }
        if (unpaired.Count > 0)
            b.Paragraph("Sections only one run wrote: " + string.Join(", ", unpaired.Select(u => $"{u.Slug} ({u.Label})"))
                + "; open that run's report for them.");
    }

    /// <summary>One part of a section across the runs: text once or side by side, tables aligned on their first column,
    /// figures paired by name.</summary>
    private static void ComparePart(SectionBuilder b, Comparison c, IReadOnlyList<SectionPart?> parts, Dictionary<string, byte[]> images)
    {
        var runs = c.Runs;
        var texts = parts.Select(p => p?.TextHtml ?? "").ToList();
        if (texts.Where((t, i) => parts[i] is not null).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            var first = parts.First(p => p is not null)!;
            if (first.TextHtml.Length > 0) b.Raw(first.TextHtml + "\n", first.TextMarkdown + "\n\n");
        }
        else if (texts.Any(t => t.Length > 0))
            SideBySide(b, runs, parts.Select(p => p is null ? null : ((string Html, string Md)?)(p.TextHtml, p.TextMarkdown)).ToList());

        int tables = parts.Max(p => p?.Tables.Count ?? 0);
        for (int t = 0; t < tables; t++)
        {
            var at = parts.Select(p => p is not null && t < p.Tables.Count ? p.Tables[t] : null).ToList();
            var present = at.Where(x => x is not null).ToList();
            if (present.Count >= 2 && present.All(x => x!.SameHeaders(present[0]!)) && present[0]!.Headers.Count > 0) AlignedTable(b, runs, at);
            else SideBySide(b, runs, at.Select(x => x is null ? null : ((string, string)?)(TableHtml(x), TableMarkdown(x))).ToList());
        }

        var figures = parts.Select(p => FiguresByKey(p, c.Rules)).ToList();
        foreach (string key in figures.SelectMany(f => f.Keys).Distinct().ToList())
        {
            var cells = figures.Select((f, i) =>
            {
                if (!f.TryGetValue(key, out var figure)) return null;
                string file = $"{runs[i].Label}-{figure.Name}";
                if (!runs[i].Images.TryGetValue(figure.Name, out byte[]? png))
                    return ((string Html, string Md)?)($"<p class=\"missing\">{E(figure.Name)} is not in the run folder</p>", $"*{figure.Name} is not in the run folder*");
                images[file] = png;
                string caption = figure.Caption ?? figure.Name;
                return ($"<figure><img alt=\"{E(runs[i].Label + " " + figure.Name)}\" src=\"{E(file)}\"><figcaption>{E(caption)}</figcaption></figure>",
                    $"![{runs[i].Label} {figure.Name}]({file})<br>*{MarkdownReport.Cell(caption)}*");
            }).ToList();
            SideBySide(b, runs, cells, inTable: true);
        }
    }

    private static Dictionary<string, PartFigure> FiguresByKey(SectionPart? part, SectionRules rules)
    {
        var byKey = new Dictionary<string, PartFigure>(StringComparer.Ordinal);
        if (part is null) return byKey;
        var newest = new Dictionary<string, (long Step, PartFigure Figure)>(StringComparer.Ordinal);
        foreach (var figure in part.Figures)
        {
            var series = rules.Series.Select(s => (s, Match: Regex.Match(figure.Name, s.Pattern))).FirstOrDefault(x => x.Match.Success);
            if (series.s is null) { byKey.TryAdd(figure.Name, figure); continue; }
            long step = series.Match.Groups.Count > 1 && long.TryParse(series.Match.Groups[1].Value, out long n) ? n : 0;
            if (!newest.TryGetValue(series.s.Key, out var current) || step > current.Step) newest[series.s.Key] = (step, figure);
        }
        foreach (var (key, value) in newest) byKey.TryAdd(key, value.Figure);
        return byKey;
    }

    /// <summary>Columns, one per run, under the run's title; a run without this part shows a dash. In Markdown: one
    /// table row of cells (<paramref name="inTable"/>, for images) or one block per run.</summary>
    private static void SideBySide(SectionBuilder b, IReadOnlyList<ComparedRun> runs, IReadOnlyList<(string Html, string Md)?> cells, bool inTable = false)
    {
        var html = new StringBuilder($"<div class=\"sbs\" style=\"--n:{runs.Count}\">\n");
        for (int i = 0; i < runs.Count; i++)
            html.Append($"<div><div class=\"who\">{E(runs[i].Title)}</div>\n")
                .Append(cells[i] is { } cell ? cell.Html : "<p class=\"missing\">—</p>").Append("\n</div>\n");
        html.Append("</div>\n");
        string md;
        if (inTable)
            md = "| " + string.Join(" | ", runs.Select(r => MarkdownReport.Cell(r.Title))) + " |\n|"
                + string.Concat(runs.Select(_ => "---|")) + "\n| " + string.Join(" | ", cells.Select(x => x?.Md ?? "—")) + " |\n\n";
        else
            md = string.Concat(runs.Select((r, i) => $"**{MarkdownReport.Cell(r.Title)}**\n\n{(cells[i] is { } x && x.Md.Trim().Length > 0 ? x.Md.Trim() : "—")}\n\n"));
        b.Raw(html.ToString(), md);
    }

    /// <summary>Rows with the same first cell (the tokenizer, the question, the measure) together: one row when every run
    /// has it the same, else one row per run with the cells that differ from the first run's marked.</summary>
    private static void AlignedTable(SectionBuilder b, IReadOnlyList<ComparedRun> runs, IReadOnlyList<PartTable?> tables)
    {
        var headers = tables.First(t => t is not null)!.Headers;
        var byKey = tables.Select(t => t?.Rows.Where(r => r.Count == headers.Count).GroupBy(r => r[0].Text)
            .ToDictionary(g => g.Key, g => g.First())).ToList();
        var keys = byKey.Where(k => k is not null).SelectMany(k => k!.Keys).Distinct().ToList();
        var rows = new List<IReadOnlyList<TableCell>>();
        foreach (string key in keys)
        {
            var perRun = byKey.Select(k => k is not null && k.TryGetValue(key, out var row) ? row : null).ToList();
            var present = perRun.Where(r => r is not null).ToList();
            if (present.Count == runs.Count && present.All(r => r!.Select(x => x.Text).SequenceEqual(present[0]!.Select(x => x.Text))))
            {
                rows.Add([present[0]![0], "all", .. present[0]!.Skip(1)]);
                continue;
            }
            var reference = perRun.FirstOrDefault(r => r is not null)!;
            for (int i = 0; i < runs.Count; i++)
            {
                if (perRun[i] is not { } row)
                {
                    if (tables[i] is not null) rows.Add([key, runs[i].Label, .. headers.Skip(1).Select(_ => new TableCell("—", "missing"))]);
                    continue;
                }
                rows.Add([key, runs[i].Label, .. row.Skip(1).Select((cell, j) =>
                    cell.Text != reference[j + 1].Text ? new TableCell(cell.Text, "differs") : cell)]);
            }
        }
        b.Table([headers[0], "run", .. headers.Skip(1)], rows);
    }

    private static string TableHtml(PartTable t) =>
        "<table><tr>" + string.Concat(t.Headers.Select(h => $"<th>{E(h)}</th>")) + "</tr>\n"
        + string.Concat(t.Rows.Select(r => "<tr>" + string.Concat(r.Select(c => c.Class is { } cls
            ? $"<td class=\"{E(cls)}\">{E(c.Text)}</td>" : $"<td>{E(c.Text)}</td>")) + "</tr>\n")) + "</table>";

    private static string TableMarkdown(PartTable t) =>
        "| " + string.Join(" | ", t.Headers.Select(MarkdownReport.Cell)) + " |\n|" + string.Concat(t.Headers.Select(_ => "---|")) + "\n"
        + string.Concat(t.Rows.Select(r => "| " + string.Join(" | ", r.Select(c => MarkdownReport.Cell(c.Text))) + " |\n"));

    /// <summary>" (+0.0123)" after a value of run <paramref name="index"/> &gt; 0: its difference from the first run's.</summary>
    private static string Delta(double? first, double value, int index, Func<double, string> format)
    {
        if (index == 0 || first is not { } a || !double.IsFinite(a) || !double.IsFinite(value)) return "";
        double d = value - a;
        return d == 0 ? " (±0)" : $" ({(d > 0 ? "+" : "−")}{format(Math.Abs(d))})";
    }

    private static string Number(double v) =>
        !double.IsFinite(v) ? v.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : v == Math.Round(v) && Math.Abs(v) < 1e12 ? v.ToString("0", System.Globalization.CultureInfo.InvariantCulture)
        : v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    private static string Join(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
