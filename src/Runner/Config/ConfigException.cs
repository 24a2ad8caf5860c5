namespace GenLab.Runner.Config;

/// <summary>Every problem found while loading one experiment, so the user can fix them in one pass.</summary>
public sealed class ConfigException : Exception
{
    // Keeps the message to about one screen; Errors still holds them all.
    private const int MaxListed = 20;

    public IReadOnlyList<ConfigError> Errors { get; }

    public ConfigException(IReadOnlyList<ConfigError> errors) : base(Format(errors)) => Errors = errors;

    private static string Format(IReadOnlyList<ConfigError> errors)
    {
        var lines = errors.Take(MaxListed).Select(e => e.ToString()).ToList();
        if (errors.Count > MaxListed) lines.Add($"... and {errors.Count - MaxListed} more");
        return string.Join(Environment.NewLine, lines);
    }
}
