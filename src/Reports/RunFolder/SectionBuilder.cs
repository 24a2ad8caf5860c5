using System.Net;
using System.Text;

namespace GenLab.Reports.RunFolder;

/// <summary>One table cell: its text and, for the HTML, an optional class (<c>num</c> right-aligns, <c>pass</c> /
/// <c>fail</c> colour a check).</summary>
public readonly record struct TableCell(string Text, string? Class = null)
{
    public static implicit operator TableCell(string text) => new(text);
}

/// <summary>Builds a report section's HTML and Markdown side by side, so the two versions say the same thing: every
/// call appends to both, escaping the text for each (HTML entities; Markdown table pipes and line breaks). Images are
/// collected with the section and written beside it by <see cref="Write"/>.</summary>
public sealed class SectionBuilder
{
    private readonly StringBuilder html = new();
    private readonly StringBuilder markdown = new();
    private readonly List<(string FileName, byte[] Png)> images = [];

    public string Html => html.ToString();
    public string Markdown => markdown.ToString();
    public IReadOnlyList<(string FileName, byte[] Png)> Images => images;

    /// <param name="level">2 for a section title, 3 for a part of one.</param>
    public SectionBuilder Heading(string text, int level = 2)
    {
        if (level is < 2 or > 4) throw new ArgumentOutOfRangeException(nameof(level), level, "headings inside a report are h2–h4");
        html.Append($"<h{level}>{E(text)}</h{level}>\n");
        markdown.Append($"{new string('#', level)} {text}\n\n");
        return this;
    }

    public SectionBuilder Paragraph(string text)
    {
        html.Append($"<p>{E(text)}</p>\n");
        markdown.Append($"{text}\n\n");
        return this;
    }

    /// <summary>A caveat the reader should not miss: a highlighted paragraph, a Markdown quote.</summary>
    public SectionBuilder Note(string text)
    {
        html.Append($"<p class=\"note\">{E(text)}</p>\n");
        markdown.Append($"> {text}\n\n");
        return this;
    }

    /// <summary>An image with an optional caption under it; the PNG is written with the section.</summary>
    public SectionBuilder Figure(string fileName, byte[] png, string? caption = null)
    {
        images.Add((fileName, png));
        return FigureOf(fileName, caption);
    }

    /// <summary>An image written earlier (an older checkpoint's grid kept in the sections folder), by file name.</summary>
    public SectionBuilder FigureOf(string fileName, string? caption = null)
    {
        html.Append(caption is null
            ? $"<figure><img alt=\"{E(fileName)}\" src=\"{E(fileName)}\"></figure>\n"
            : $"<figure><img alt=\"{E(fileName)}\" src=\"{E(fileName)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
        markdown.Append(caption is null ? $"![{fileName}]({fileName})\n\n" : $"![{fileName}]({fileName})\n\n*{caption}*\n\n");
        return this;
    }

    /// <param name="numeric">Per column: right-aligned (numbers). Null: all left-aligned.</param>
    public SectionBuilder Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<TableCell>> rows, IReadOnlyList<bool>? numeric = null)
    {
        if (numeric is not null && numeric.Count != headers.Count)
            throw new ArgumentException($"{numeric.Count} alignment flags for {headers.Count} columns", nameof(numeric));
        bool Numeric(int column) => numeric is not null && numeric[column];
        html.Append("<table><tr>").AppendJoin("", headers.Select(h => $"<th>{E(h)}</th>")).Append("</tr>\n");
        markdown.Append("| ").AppendJoin(" | ", headers.Select(Cell)).Append(" |\n|")
            .AppendJoin("|", headers.Select((_, i) => Numeric(i) ? "--:" : "---")).Append("|\n");
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
                throw new ArgumentException($"a row of {row.Count} cells in a table of {headers.Count} columns", nameof(rows));
            html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
            {
                string? cls = row[i].Class ?? (Numeric(i) ? "num" : null);
                html.Append(cls is null ? "<td>" : $"<td class=\"{E(cls)}\">").Append(E(row[i].Text)).Append("</td>");
            }
            html.Append("</tr>\n");
            markdown.Append("| ").AppendJoin(" | ", row.Select(c => Cell(c.Text))).Append(" |\n");
        }
        html.Append("</table>\n");
        markdown.Append('\n');
        return this;
    }

    /// <summary>Markup the other calls cannot say (inline emphasis, code, coloured tokens): given in both forms.</summary>
    public SectionBuilder Raw(string htmlText, string markdownText)
    {
        html.Append(htmlText);
        markdown.Append(markdownText);
        return this;
    }

    /// <summary>Writes the section and its images into the run folder (see <see cref="ReportSections.Write"/>).</summary>
    public void Write(string runDir, int order, string slug) => ReportSections.Write(runDir, order, slug, Html, Markdown, images);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A Markdown table cell: a pipe would end the cell and a line break the row.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal)
        .Replace("\n", " ", StringComparison.Ordinal);
}
