using System.Text.Encodings.Web;
using System.Text.Json;

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
    };

    public static void Write(string path, object results) => File.WriteAllText(path, JsonSerializer.Serialize(results, Options));
}
