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

    /// <summary>The newest evaluation's samples, or null when the file has none.</summary>
    public static (long Step, IReadOnlyList<string> Texts)? Last(string path)
    {
        if (!File.Exists(path)) return null;
        foreach (string line in File.ReadLines(path).Reverse())
        {
            try
            {
                var root = JsonDocument.Parse(line).RootElement;
                return (root.GetProperty("step").GetInt64(), [.. root.GetProperty("texts").EnumerateArray().Select(t => t.GetString() ?? "")]);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        }
        return null;
    }

    /// <summary>Keeps only lines of steps ≤ <paramref name="step"/>; later lines go to <c>&lt;file&gt;.discarded</c>.</summary>
    public static void TruncateAfter(string path, long step) =>
        LinesAfterStep.SetAside(path, step, (line, _) =>
        {
            try { return JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64(); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return null; }
        });
}
