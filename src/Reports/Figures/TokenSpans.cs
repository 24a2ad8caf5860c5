using System.Net;
using System.Text;

namespace GenLab.Reports.Figures;

/// <summary>Text with token boundaries shown as on OpenAI's tokenizer page: each token's text on a pastel background,
/// colours cycling so neighbours differ, the id in a tooltip.</summary>
public static class TokenSpans
{
    private static readonly string[] Pastels = ["#c6e2ff", "#ffd6a5", "#caffbf", "#ffadad", "#e4c1f9"];

    public static string Html(IReadOnlyList<string> pieces, IReadOnlyList<int> ids)
    {
        var html = new StringBuilder("<div class=\"tokens\">");
        for (int i = 0; i < pieces.Count; i++)
        {
            string text = pieces[i].Replace("\n", "↵\n");
            html.Append($"<span style=\"background:{Pastels[i % Pastels.Length]}\" title=\"id {ids[i]}\">{WebUtility.HtmlEncode(text)}</span>");
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>Markdown has no colours: tokens are separated by a middle dot inside a code span.</summary>
    public static string Markdown(IReadOnlyList<string> pieces) =>
        "`" + string.Join("·", pieces.Select(p => p.Replace("`", "ˋ").Replace("\n", "↵"))) + "`";
}
