using System.Globalization;
using GenLab.Models.Configuration;

namespace GenLab.Runner.Expectations;

/// <summary>One stated result an experiment must reproduce, in its <c>expect:</c> section:
/// <c>label_knn_accuracy: { min: 0.9 }</c>, <c>val_loss: { max: 1.92 }</c>, <c>characters: { value: 68 }</c> or
/// <c>fid_lite: { value: 2.0, tolerance: 0.5 }</c>. A run whose result misses it fails (exit code 1), and
/// <c>genlab verify</c> tabulates every one.</summary>
public sealed record Expectation : IValidatable
{
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>The exact value (counts), or the centre of <see cref="Tolerance"/>.</summary>
    public double? Value { get; init; }
    public double Tolerance { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Min is null && Max is null && Value is null) yield return new("min", "give min, max or value");
        if (Value is not null && (Min is not null || Max is not null)) yield return new("value", "give either value (± tolerance) or min/max, not both");
        if (Min is { } min && Max is { } max && min > max) yield return new("min", $"must be <= max ({F(max)})");
        if (Tolerance < 0) yield return new("tolerance", "must be >= 0");
        if (Tolerance > 0 && Value is null) yield return new("tolerance", "applies to value only");
    }

    /// <summary>Whether <paramref name="result"/> meets the expectation; NaN and ±Infinity never do.</summary>
    public bool Holds(double result) =>
        double.IsFinite(result)
        && (Value is not { } v || Math.Abs(result - v) <= Tolerance + 1e-12 * Math.Max(1, Math.Abs(v)))
        && (Min is not { } min || result >= min)
        && (Max is not { } max || result <= max);

    /// <summary>The rule as people write it: <c>≥ 0.9</c>, <c>≤ 1.92</c>, <c>= 68</c>, <c>2 ± 0.5</c>, <c>0.1 … 0.3</c>.</summary>
    public string Rule => (Value, Min, Max) switch
    {
        ({ } v, _, _) when Tolerance > 0 => $"{F(v)} ± {F(Tolerance)}",
        ({ } v, _, _) => $"= {F(v)}",
        (_, { } min, { } max) => $"{F(min)} … {F(max)}",
        (_, { } min, _) => $"≥ {F(min)}",
        (_, _, { } max) => $"≤ {F(max)}",
        _ => "",
    };

    internal static string F(double v) =>
        v != 0 && Math.Abs(v) < 1e-3 ? v.ToString("G3", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);
}
