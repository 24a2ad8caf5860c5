using System.Globalization;

namespace GenLab.Reports.RunFolder;

/// <summary>One row of <c>metrics.csv</c>: <c>step,split,metric,value,elapsed_s</c>.</summary>
public sealed record MetricRow(long Step, string Split, string Metric, double Value, double ElapsedSeconds);

/// <summary>Reads and appends <c>metrics.csv</c>. Values use the invariant culture and round-trip ("R") formatting,
/// so two runs with the same seed produce byte-identical value columns.</summary>
public static class MetricsCsv
{
    public const string Header = "step,split,metric,value,elapsed_s";

    public static string Format(MetricRow row) => string.Join(',',
        row.Step.ToString(CultureInfo.InvariantCulture), row.Split, row.Metric,
        row.Value.ToString("R", CultureInfo.InvariantCulture),
        row.ElapsedSeconds.ToString("0.###", CultureInfo.InvariantCulture));

    public static MetricRow Parse(string line, int lineNumber, string path)
    {
        string[] cells = line.Split(',');
        if (cells.Length != 5
            || !long.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long step)
            || !double.TryParse(cells[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.TryParse(cells[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double elapsed))
        {
            throw new InvalidDataException($"{path}:{lineNumber}: expected '{Header}', got '{line}'");
        }
        return new MetricRow(step, cells[1], cells[2], value, elapsed);
    }

    /// <summary>All rows of a metrics file; a missing file is an empty run. A torn last line (crash mid-write) is skipped.</summary>
    public static IReadOnlyList<MetricRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        string[] lines = File.ReadAllLines(path);
        var rows = new List<MetricRow>(lines.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            bool isLast = i == lines.Length - 1;
            try { rows.Add(Parse(lines[i], i + 1, path)); }
            catch (InvalidDataException) when (isLast) { }
        }
        return rows;
    }
}
