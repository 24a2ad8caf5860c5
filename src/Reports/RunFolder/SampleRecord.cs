using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenLab.Reports.RunFolder;

/// <summary>One line of <c>samples.jsonl</c>: <c>{"step": 500, "split": "sample", "texts": ["...", "..."]}</c>.</summary>
public sealed record SampleRecord
{
    public long Step { get; init; }
    public string Split { get; init; } = "sample";
    public IReadOnlyList<string> Texts { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static string Format(SampleRecord record) => JsonSerializer.Serialize(record, Json);

    /// <summary>All records of a samples file; a missing file means no samples yet. A torn last line (crash
    /// mid-write) is skipped, as in <see cref="MetricsCsv.Read"/>; a bad line elsewhere is an error.</summary>
    public static IReadOnlyList<SampleRecord> Read(string path)
    {
        if (!File.Exists(path)) return [];
        string[] lines = File.ReadAllLines(path);
        var records = new List<SampleRecord>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            bool isLast = i == lines.Length - 1;
            try
            {
                records.Add(JsonSerializer.Deserialize<SampleRecord>(lines[i], Json)
                    ?? throw new InvalidDataException($"{path}:{i + 1}: expected a JSON object, got null"));
            }
            catch (JsonException) when (isLast) { }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return records;
    }
}
