using System.Net;
using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Compare;

/// <summary>A figure of a section: its PNG's file name and caption.</summary>
internal sealed record PartFigure(string Name, string? Caption);

/// <summary>A table of a section, as text: the header row and each row's cells (with the HTML class of each cell).</summary>
internal sealed record PartTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<TableCell>> Rows)
{
    public bool SameHeaders(PartTable other) => Headers.SequenceEqual(other.Headers, StringComparer.Ordinal);
}

/// <summary>A section cut at one heading: its title, the text around its figures and tables (as HTML and Markdown),
/// the figures and the tables.</summary>
internal sealed record SectionPart(string Title, int Level, string TextHtml, string TextMarkdown,
    IReadOnlyList<PartFigure> Figures, IReadOnlyList<PartTable> Tables);

/// <summary>Reads back what <see cref="SectionBuilder"/> wrote: headings start parts, <c>&lt;figure&gt;</c> and
/// <c>&lt;table&gt;</c> elements are taken out of the text. The Markdown of a section has the same headings in the same
/// order, so its parts pair with the HTML's by position.</summary>
internal static partial class SectionParts
{
    public static IReadOnlyList<SectionPart> Parse(ReportSection section)
    {
        var html = SplitHtml(section.Html);
        var markdown = SplitMarkdown(section.Markdown);
        bool paired = markdown.Count == html.Count;
        return html.Select((h, i) =>
        {
            var figures = FigurePattern().Matches(h.Body)
                .Select(m => new PartFigure(WebUtility.HtmlDecode(m.Groups[1].Value),
                    m.Groups[2].Success ? WebUtility.HtmlDecode(m.Groups[2].Value) : null)).ToList();
            var tables = TablePattern().Matches(h.Body).Select(m => ParseTable(m.Value)).ToList();
            string text = TablePattern().Replace(FigurePattern().Replace(h.Body, ""), "").Trim();
            string md = paired ? MarkdownText(markdown[i]) : PlainText(text);
            return new SectionPart(h.Title, h.Level, text, md, figures, tables);
        }).ToList();
    }

    private static List<(string Title, int Level, string Body)> SplitHtml(string html)
    {
        var parts = new List<(string, int, string)>();
        var headings = HeadingPattern().Matches(html);
        if (headings.Count == 0 || headings[0].Index > 0)
        {
            string before = headings.Count == 0 ? html : html[..headings[0].Index];
            if (before.Trim().Length > 0) parts.Add(("", 2, before));
        }
        for (int i = 0; i < headings.Count; i++)
        {
            int start = headings[i].Index + headings[i].Length;
            int end = i + 1 < headings.Count ? headings[i + 1].Index : html.Length;
            parts.Add((WebUtility.HtmlDecode(headings[i].Groups[2].Value), int.Parse(headings[i].Groups[1].Value), html[start..end]));
        }
        return parts;
    }

    private static List<string> SplitMarkdown(string markdown)
    {
        var parts = new List<string>();
        var lines = markdown.Replace("\r", "").Split('\n');
        var current = new List<string>();
        bool any = false, fenced = false;
        foreach (string line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (!fenced && MarkdownHeading().IsMatch(line))
            {
                if (any || string.Join("\n", current).Trim().Length > 0) parts.Add(string.Join("\n", current));
                current = [];
                any = true;
                continue;
            }
            current.Add(line);
        }
        parts.Add(string.Join("\n", current));
        return parts;
    }

    /// <summary>A part's Markdown without its images, their captions and its tables.</summary>
    private static string MarkdownText(string markdown)
    {
        var kept = new List<string>();
        bool afterImage = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (MarkdownImage().IsMatch(line)) { afterImage = true; continue; }
            if (afterImage && line.Length == 0) continue;
            if (afterImage && line.StartsWith('*') && line.EndsWith('*')) { afterImage = false; continue; }
            afterImage = false;
            if (line.StartsWith('|')) continue;
            kept.Add(line);
        }
        return string.Join("\n", kept).Trim();
    }

    private static PartTable ParseTable(string html)
    {
        var headers = HeaderCell().Matches(html).Select(m => Text(m.Groups[1].Value)).ToList();
        var rows = RowPattern().Matches(html)
            .Select(r => (IReadOnlyList<TableCell>)DataCell().Matches(r.Groups[1].Value)
                .Select(c => new TableCell(Text(c.Groups[2].Value), c.Groups[1].Success ? c.Groups[1].Value : null)).ToList())
            .Where(r => r.Count > 0).ToList();
        return new PartTable(headers, rows);
    }

    private static string Text(string html) => WebUtility.HtmlDecode(Tag().Replace(html, ""));

    /// <summary>Text for Markdown when a section's two versions do not line up.</summary>
    internal static string PlainText(string html) => WebUtility.HtmlDecode(Tag().Replace(html, " ")).Trim();

    [GeneratedRegex(@"<h([234])>(.*?)</h\1>\n?", RegexOptions.Singleline)]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^#{2,4} ")]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"<figure><img alt=""[^""]*"" src=""([^""]+)"">(?:<figcaption>(.*?)</figcaption>)?</figure>\n?", RegexOptions.Singleline)]
    private static partial Regex FigurePattern();

    [GeneratedRegex(@"^!\[[^\]]*\]\([^)]+\)\s*$")]
    private static partial Regex MarkdownImage();

    [GeneratedRegex(@"<table>.*?</table>\n?", RegexOptions.Singleline)]
    private static partial Regex TablePattern();

    [GeneratedRegex(@"<th>(.*?)</th>", RegexOptions.Singleline)]
    private static partial Regex HeaderCell();

    [GeneratedRegex(@"<tr>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"<td(?: class=""([^""]*)"")?>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex DataCell();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();
}
