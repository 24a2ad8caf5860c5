using System.Text.Encodings.Web;
using System.Text.Json;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Runs;

/// <summary>Writes an experiment's machine-readable results (the numbers its report shows, for tests and CI) in one
/// style: indented, snake_case keys, accents kept readable.</summary>
public static class ResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new NonFiniteAsNull(), new NonFiniteSingleAsNull() },
    };

    public static void Write(string path, object results) => File.WriteAllText(path, JsonSerializer.Serialize(results, Options));

    /// <summary>The numbers at the given top-level (or <c>a.b</c> nested) keys of a results file; keys that are missing,
    /// null or not numbers are left out, and so is everything when the file is missing.</summary>
    public static Dictionary<string, double> Numbers(string path, params (string Name, string Key)[] keys)
    {
        var found = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!File.Exists(path)) return found;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var (name, key) in keys)
        {
            var element = document.RootElement;
            bool ok = true;
            foreach (string part in key.Split('.'))
                ok = ok && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out element);
            if (ok && element.ValueKind == JsonValueKind.Number) found[name] = element.GetDouble();
        }
        return found;
    }
}
