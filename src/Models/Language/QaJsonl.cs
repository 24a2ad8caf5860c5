using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GenLab.Models.Language;

/// <summary>Q&amp;A pairs as JSON Lines, one object per line. Two formats are read:
/// <list type="bullet">
/// <item>OpenOrca: <c>{"system_prompt": "...", "question": "...", "response": "..."}</c> (system_prompt optional;
/// empty means none);</item>
/// <item>Alpaca: <c>{"instruction": "...", "input": "...", "output": "..."}</c>, where the question is
/// <c>instruction</c>, followed by a blank line and <c>input</c> when input is non-empty.</item>
/// </list>
/// Other keys (OpenOrca's <c>id</c>) are ignored, blank lines are skipped, and a bad line is an error naming the file
/// and line. <see cref="Write"/> writes the OpenOrca format, UTF-8 without escaping accents.</summary>
public static class QaJsonl
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<QaExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: Q&A file not found", path);
        var examples = new List<QaExample>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            examples.Add(Parse(line, $"{path}:{lineNumber}"));
        }
        return examples;
    }

    public static void Write(string path, IEnumerable<QaExample> examples)
    {
        var text = new StringBuilder();
        foreach (var example in examples)
        {
            var record = new Dictionary<string, string>
            {
                ["system_prompt"] = example.System ?? "",
                ["question"] = example.Question,
                ["response"] = example.Response,
            };
            text.Append(JsonSerializer.Serialize(record, WriteOptions)).Append('\n');
        }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    private static QaExample Parse(string line, string where)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(line); }
        catch (JsonException e) { throw new InvalidDataException($"{where}: invalid JSON ({e.Message})", e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{where}: expected a JSON object, found {root.ValueKind}");
            if (root.TryGetProperty("question", out _) || root.TryGetProperty("response", out _))
            {
                string? system = String(root, "system_prompt", where, required: false);
                return new QaExample(string.IsNullOrEmpty(system) ? null : system,
                    String(root, "question", where, required: true)!, String(root, "response", where, required: true)!);
            }
            if (root.TryGetProperty("instruction", out _) || root.TryGetProperty("output", out _))
            {
                string instruction = String(root, "instruction", where, required: true)!;
                string? input = String(root, "input", where, required: false);
                string question = string.IsNullOrEmpty(input) ? instruction : instruction + "\n\n" + input;
                return new QaExample(null, question, String(root, "output", where, required: true)!);
            }
            throw new InvalidDataException(
                $"{where}: neither OpenOrca keys (question, response) nor Alpaca keys (instruction, output)");
        }
    }

    private static string? String(JsonElement root, string key, string where, bool required)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw new InvalidDataException($"{where}: missing key '{key}'") : null;
        if (value.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where}: '{key}' must be a string, is {value.ValueKind}");
        return value.GetString();
    }
}
