namespace GenLab.Models.Configuration;

/// <summary>One problem with a config record. <paramref name="Key"/> is the snake_case key inside that record
/// (for example <c>hidden_size</c>); the loader prefixes the section path and adds the file, line and column.</summary>
public sealed record ConfigIssue(string Key, string Message);

/// <summary>A config record that can check values the type system cannot (ranges, combinations).</summary>
public interface IValidatable
{
    IEnumerable<ConfigIssue> Validate();
}

/// <summary>Marks a string property as a file path: the loader resolves it relative to the YAML file that set it
/// and reports a missing file at that key's line.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FilePathAttribute : Attribute;

/// <summary>A <c>model</c> section whose values must agree with the experiment's <c>data</c> section (a network that
/// halves the image side n times needs a side divisible by 2ⁿ). Issue keys are paths from the top of the file
/// (<c>data.size</c>), so the error points at the line to change.</summary>
public interface IValidatableWithData
{
    IEnumerable<ConfigIssue> ValidateWithData(object data);
}

/// <summary>The largest value an integer key, or each item of a list of integers, may take. Every integer key has
/// one: for sizes, a value that still fits a 16 GB workstation with the other keys at their defaults; for counts of
/// steps or samples, one that finishes in days rather than years. The loader names the limit when a value passes it,
/// before anything is allocated.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxAttribute(long value) : Attribute
{
    public long Value { get; } = value;
}
