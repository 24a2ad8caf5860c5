using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Runs;

/// <summary>Appends rows to <c>metrics.csv</c>. Rows are buffered and flushed at every evaluation and checkpoint, so a
/// crash loses at most the rows since the last flush, and the file never holds a half-written row after a flush.</summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    public MetricsLog(string path)
    {
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        if (fresh) _writer.WriteLine(MetricsCsv.Header);
    }

    public void Add(MetricRow row) => _writer.WriteLine(MetricsCsv.Format(row));

    public void Flush()
    {
        _writer.Flush();
        ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        Flush();
        _writer.Dispose();
    }

    /// <summary>Before resuming from a checkpoint at <paramref name="step"/>: rows logged after it (by the process that
    /// crashed or was stopped) are moved to <c>&lt;file&gt;.discarded</c>, never deleted, so the resumed run's curve is
    /// continuous and exactly what an uninterrupted run writes. Returns how many rows moved.</summary>
    public static int TruncateAfter(string path, long step) =>
        LinesAfterStep.SetAside(path, step, (line, number) =>
        {
            try { return MetricsCsv.Parse(line, number, path).Step; }
            catch (InvalidDataException) { return null; }
        }, headerLines: 1);
}
