namespace GenLab.Models.Tokenizers;

/// <summary>Which registered special tokens <see cref="BytePairTokenizer.Encode(string, AllowedSpecial)"/> may turn
/// into their ids. A special token's text that is not allowed is an error, never silently encoded as ordinary text
/// (tiktoken's <c>disallowed_special="all"</c> default): user text saying <c>&lt;|endoftext|&gt;</c> must not end a
/// document by accident.</summary>
public sealed class AllowedSpecial
{
    private readonly HashSet<string>? _names;
    private readonly bool _all;

    private AllowedSpecial(bool all, HashSet<string>? names) { _all = all; _names = names; }

    /// <summary>No special token may appear in the text (the default).</summary>
    public static AllowedSpecial None { get; } = new(false, null);

    /// <summary>Every registered special token is encoded as its id.</summary>
    public static AllowedSpecial All { get; } = new(true, null);

    /// <summary>Only these special tokens are encoded as their ids; any other registered one is an error.</summary>
    public static AllowedSpecial Of(params IEnumerable<string> names) => new(false, new HashSet<string>(names, StringComparer.Ordinal));

    public bool Allows(string special) => _all || (_names?.Contains(special) ?? false);
}
