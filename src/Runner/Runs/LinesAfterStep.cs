namespace GenLab.Runner.Runs;

/// <summary>Before a run resumes from a checkpoint at some step, lines its append-only logs received after that step
/// (from the process that crashed or was stopped) are moved to <c>&lt;file&gt;.discarded</c> — never deleted — and the
/// file is rewritten atomically (temp + rename), so the resumed run continues exactly where the checkpoint left it.</summary>
internal static class LinesAfterStep
{
    /// <param name="stepOf">The step a line belongs to; null for a line that cannot be read (torn by a crash), which
    /// is set aside too.</param>
    /// <param name="headerLines">Leading lines kept as they are (a CSV header).</param>
    /// <returns>How many lines were set aside.</returns>
    public static int SetAside(string path, long step, Func<string, int, long?> stepOf, int headerLines = 0)
    {
        if (!File.Exists(path)) return 0;
        string[] lines = File.ReadAllLines(path);
        var keep = new List<string>(lines.Take(headerLines));
        var drop = new List<string>();
        for (int i = headerLines; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            (stepOf(lines[i], i + 1) is { } lineStep && lineStep <= step ? keep : drop).Add(lines[i]);
        }
        if (drop.Count == 0) return 0;
        File.AppendAllLines(path + ".discarded", drop);
        File.WriteAllLines(path + ".tmp", keep);
        File.Move(path + ".tmp", path, overwrite: true);
        return drop.Count;
    }
}
