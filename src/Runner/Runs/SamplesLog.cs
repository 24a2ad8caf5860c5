using System.Text.Encodings.Web;
using System.Text.Json;

namespace GenLab.Runner.Runs;

/// <summary>Appends one JSON line per evaluation to <c>samples.jsonl</c>: <c>{"step":500,"split":"sample","texts":[...]}</c>.</summary>
public static class SamplesLog
{
    // Samples are Portuguese text: keep "ção" readable in the file rather than \u-escaped.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Append(string path, long step, IReadOnlyList<string> texts)
    {
        string line = JsonSerializer.Serialize(new { step, split = "sample", texts }, Json);
        File.AppendAllText(path, line + "\n");
    }

    /// <summary>Keeps only lines of steps ≤ <paramref name="step"/>; later lines go to <c>&lt;file&gt;.discarded</c>.</summary>
    public static void TruncateAfter(string path, long step)
    {
        if (!File.Exists(path)) return;
        var keep = new List<string>();
        var drop = new List<string>();
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.Length == 0) continue;
            long lineStep;
            try { lineStep = JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64(); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { drop.Add(line); continue; }
            (lineStep <= step ? keep : drop).Add(line);
        }
        if (drop.Count == 0) return;
        File.AppendAllLines(path + ".discarded", drop);
        File.WriteAllLines(path + ".tmp", keep);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
