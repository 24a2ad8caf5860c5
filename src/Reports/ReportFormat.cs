using System.Globalization;

namespace GenLab.Reports;

/// <summary>Number and text formatting shared by the HTML and Markdown renderers. Always the invariant culture,
/// so a report reads the same on every machine.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Losses and accuracies with 4 decimals; other metrics (lr ~1e-4, throughput ~1e3) with 5 significant digits.</summary>
    public static string Value(string metric, double value) =>
        !double.IsFinite(value) ? value.ToString(Inv)
        : MetricSummary.GoalOf(metric) != MetricGoal.None ? value.ToString("F4", Inv)
        : Number(value);

    public static string Number(double value) => value.ToString("G5", Inv);

    public static string Int(long value) => value.ToString(Inv);

    public static string Time(DateTimeOffset? t) =>
        t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv) : "—";

    public static string Duration(TimeSpan d) =>
        d.TotalHours >= 1 ? $"{(long)d.TotalHours}h {d.Minutes:D2}m {d.Seconds:D2}s"
        : d.TotalMinutes >= 1 ? $"{d.Minutes}m {d.Seconds:D2}s"
        : $"{d.TotalSeconds.ToString("0.#", Inv)}s";

    /// <summary>POSIX-shell style quoting, so the command line can be pasted back into a terminal.</summary>
    public static string CommandLine(IReadOnlyList<string> args) => string.Join(' ', args.Select(a =>
        a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? a
        : "'" + a.Replace("'", "'\\''") + "'"));

    public static string Steps(IReadOnlyList<long> steps, int max = 5) =>
        string.Join(", ", steps.Take(max).Select(Int)) + (steps.Count > max ? $", … ({steps.Count} in all)" : "");
}
