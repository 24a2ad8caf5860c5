using System.Text.RegularExpressions;

namespace GenLab.Reports.Compare;

/// <summary>Figures that form a series over checkpoints (a diffusion run's <c>samples-000500.png</c>,
/// <c>samples-001000.png</c>, …): only each run's newest is compared, under one row.</summary>
/// <param name="Pattern">Matches the file name; its first group is the step.</param>
/// <param name="Key">The row the newest figure of each run goes to.</param>
public sealed record FigureSeries(string Pattern, string Key);

/// <summary>How the runs' <c>samples.jsonl</c> is compared: the final evaluation's texts of each run side by side.</summary>
/// <param name="Title">The heading (what the samples are: invented names, generated text, answers).</param>
/// <param name="Explanation">Why the rows line up: same seed and order, or same prompt.</param>
/// <param name="PromptSeparator">Null: sample i beside sample i (drawn with the same seed in the same order). Otherwise each
/// text is "prompt + separator + output" and rows line up by prompt.</param>
public sealed record SampleRule(string Title, string Explanation, string? PromptSeparator = null);

/// <summary>How an experiment kind's report sections are compared. Sections pair up by slug; each is cut at its
/// headings into parts that pair up by title; within a part, text is shown side by side (once when it is the same),
/// tables whose headers agree are aligned row by row on their first column, and figures are paired by file name.</summary>
public sealed partial record SectionRules
{
    /// <summary>Slugs (without the NN- order prefix) left out: the expectations are in the comparison's results table.</summary>
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "expectations" };

    /// <summary>What is cut from part titles before they pair up: "(step 2000)" always; a kind adds what varies
    /// between runs but names the same thing ("cl100k — 18 tokens").</summary>
    public IReadOnlyList<string> TitleNoise { get; init; } = [];

    public IReadOnlyList<FigureSeries> Series { get; init; } = [];

    /// <summary>Null where the kind writes no text samples (images are in its sections).</summary>
    public SampleRule? Samples { get; init; }

    internal string TitleKey(string title)
    {
        string key = StepSuffix().Replace(title, "");
        foreach (string noise in TitleNoise) key = Regex.Replace(key, noise, "");
        return key.Trim();
    }

    [GeneratedRegex(@"\s*\(step [0-9]+\)")]
    private static partial Regex StepSuffix();
}
