using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;

namespace GenLab.Runner.Expectations;

/// <summary>One expectation checked against a run: the rule, the value the run reported (null when it reported
/// none), and whether it held.</summary>
public sealed record ExpectationOutcome(string Name, string Rule, double? Value, bool Passed, string Description)
{
    public string Verdict => Passed ? "pass" : Value is null ? "missing" : "fail";

    public string Describe() => Value is { } v
        ? $"{Name} = {Expectation.F(v)}, expected {Rule}"
        : $"{Name}: not reported by the run, expected {Rule}";
}

/// <summary>A completed run's named results and its expectations, as <c>results.json</c> holds them: what
/// <c>genlab verify</c> tabulates, what a reference run records, and the "Expectations" section of the report.</summary>
public sealed record RunResults(IReadOnlyDictionary<string, double> Values, IReadOnlyList<ExpectationOutcome> Expectations)
{
    public const string FileName = "results.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new NonFiniteAsNull() },
    };

    [JsonIgnore]
    public bool Passed => Expectations.All(e => e.Passed);

    [JsonIgnore]
    public IEnumerable<ExpectationOutcome> Failed => Expectations.Where(e => !e.Passed);

    /// <summary>Checks every <c>expect:</c> entry of <paramref name="config"/> against <paramref name="values"/>.</summary>
    public static RunResults Check(ExperimentConfig config, IReadOnlyDictionary<string, double> values)
    {
        var catalog = ResultCatalog.Of(config);
        var outcomes = (config.Expect ?? new Dictionary<string, Expectation>()).Select(e =>
        {
            double? value = values.TryGetValue(e.Key, out double v) ? v : null;
            return new ExpectationOutcome(e.Key, e.Value.Rule, value, value is { } x && e.Value.Holds(x),
                catalog.GetValueOrDefault(e.Key, ""));
        }).ToList();
        var ordered = new SortedDictionary<string, double>(values.ToDictionary(), StringComparer.Ordinal);
        return new RunResults(ordered, outcomes);
    }

    /// <summary>Writes <c>results.json</c> and the report's "Expectations" section.</summary>
    public void Write(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);

        var section = new SectionBuilder().Heading("Expectations");
        if (Expectations.Count == 0) section.Paragraph("This experiment states no expected results.");
        else
        {
            section.Paragraph(Passed
                ? $"All {Expectations.Count} stated result(s) reproduced."
                : $"{Failed.Count()} of {Expectations.Count} stated result(s) not reproduced.");
            section.Table(["", "result", "expected", "this run", "what it measures"],
                Expectations.Select(e => (IReadOnlyList<TableCell>)[
                    new TableCell(e.Passed ? "✓ reproduced" : "✗ not reproduced", e.Passed ? "pass" : "fail"),
                    e.Name, e.Rule, e.Value is { } v ? Format(v) : "not reported", e.Description]),
                numeric: [false, false, false, true, false]);
        }
        var others = Values.Where(v => Expectations.All(e => e.Name != v.Key)).ToList();
        if (others.Count > 0)
            section.Heading("Other results", level: 3).Table(["result", "value"],
                others.Select(v => (IReadOnlyList<TableCell>)[v.Key, Format(v.Value)]), numeric: [false, true]);
        section.Write(runDirectory, 1, "expectations");
    }

    public static RunResults? Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<RunResults>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a results file ({e.Message})"); }
    }

    internal static string Format(double v) =>
        !double.IsFinite(v) ? v.ToString(CultureInfo.InvariantCulture)
        : v == Math.Round(v) && Math.Abs(v) < 1e12 ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("0.####", CultureInfo.InvariantCulture);
}
