using System.Text.RegularExpressions;

namespace GenLab.Reports.RunFolder;

/// <summary>One experiment-specific part of a report: a tokenizer comparison table, a patch grid, a latent-space plot.
/// Experiments write sections into <c>sections/</c> of their run folder (<c>NN-slug.html</c>, <c>NN-slug.md</c> and the
/// PNGs both refer to by file name); <see cref="RunReport"/> puts them, in NN order, between the header and the
/// metrics, inlining the PNGs into index.html and copying them beside README.md.</summary>
public sealed record ReportSection(string Slug, string Html, string Markdown);

public static partial class ReportSections
{
    /// <summary>Writes a section's files; images are (file name, PNG bytes) that the HTML and Markdown reference as
    /// <c>src="name.png"</c> / <c>![...](name.png)</c>.</summary>
    public static void Write(string runDir, int order, string slug, string html, string markdown,
        IEnumerable<(string FileName, byte[] Png)>? images = null)
    {
        if (!SlugPattern().IsMatch(slug)) throw new ArgumentException($"section slug '{slug}' must be lowercase letters, digits and '-'", nameof(slug));
        string dir = Path.Combine(runDir, RunFiles.Sections);
        Directory.CreateDirectory(dir);
        foreach (var (name, png) in images ?? [])
        {
            if (!ImagePattern().IsMatch(name)) throw new ArgumentException($"image name '{name}' must be a plain *.png file name", nameof(images));
            File.WriteAllBytes(Path.Combine(dir, name), png);
        }
        string stem = $"{order:D2}-{slug}";
        File.WriteAllText(Path.Combine(dir, stem + ".md"), markdown);
        File.WriteAllText(Path.Combine(dir, stem + ".html"), html);
    }

    public static IReadOnlyList<ReportSection> Read(string runDir)
    {
        string dir = Path.Combine(runDir, RunFiles.Sections);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "*.html")
            .Order(StringComparer.Ordinal)
            .Select(html =>
            {
                string md = Path.ChangeExtension(html, ".md");
                return new ReportSection(Path.GetFileNameWithoutExtension(html), File.ReadAllText(html),
                    File.Exists(md) ? File.ReadAllText(md) : "");
            })
            .ToList();
    }

    /// <summary>The PNGs sections refer to, by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Images(string runDir)
    {
        string dir = Path.Combine(runDir, RunFiles.Sections);
        if (!Directory.Exists(dir)) return new Dictionary<string, byte[]>();
        return Directory.EnumerateFiles(dir, "*.png").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
    }

    /// <summary>Replaces <c>src="name.png"</c> of known images with data URIs, so index.html stays self-contained.</summary>
    public static string InlineImages(string html, IReadOnlyDictionary<string, byte[]> images) =>
        SrcPattern().Replace(html, m => images.TryGetValue(m.Groups[1].Value, out byte[]? png)
            ? $"src=\"data:image/png;base64,{Convert.ToBase64String(png)}\""
            : m.Value);

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\.png$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex("src=\"([A-Za-z0-9_.-]+\\.png)\"")]
    private static partial Regex SrcPattern();
}
