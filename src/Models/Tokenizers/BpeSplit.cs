using System.Text.RegularExpressions;

namespace GenLab.Models.Tokenizers;

/// <summary>How <see cref="BytePairTokenizer"/> cuts text into chunks before BPE. Merges never cross a chunk
/// boundary, so a regex split keeps "dog", "dog." and "dog!" from becoming three unrelated tokens (GPT-2 paper,
/// Radford et al. 2019, §2.2).</summary>
public enum BpeSplit
{
    /// <summary>No split: plain BPE over the whole text's bytes (minbpe <c>BasicTokenizer</c>).</summary>
    None,

    /// <summary>GPT-2's pattern (openai/gpt-2 <c>encoder.py</c>).</summary>
    Gpt2,

    /// <summary>GPT-4's <c>cl100k_base</c> pattern (openai/tiktoken).</summary>
    Gpt4,
}

/// <summary>The split regexes, translated to .NET semantics.</summary>
public static partial class BpeSplitPatterns
{
    /// <summary>openai/gpt-2 <c>encoder.py</c>, verbatim. .NET's backtracking engine gives the same leftmost-first
    /// alternation semantics as Python's <c>regex</c> module here.</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>tiktoken's <c>cl100k_base</c> pattern
    /// <c>'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s</c>.
    /// .NET has no possessive quantifiers, so each <c>x++</c> / <c>x?+</c> becomes the atomic group <c>(?&gt;x+)</c> /
    /// <c>(?&gt;x?)</c> (same meaning: no backtracking into it). <c>$</c> stays: it can only follow an atomic
    /// whitespace run that already swallowed any final newline, so .NET's "end or before a final \n" equals the
    /// Rust regex's end of text. This is also the pattern Microsoft.ML.Tokenizers uses for cl100k.</summary>
    public const string Gpt4 =
        @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s";

    [GeneratedRegex(Gpt2, RegexOptions.CultureInvariant)]
    internal static partial Regex Gpt2Regex();

    [GeneratedRegex(Gpt4, RegexOptions.CultureInvariant)]
    internal static partial Regex Gpt4Regex();

    /// <summary>The regex for <paramref name="split"/>; null for <see cref="BpeSplit.None"/>.</summary>
    public static Regex? For(BpeSplit split) => split switch
    {
        BpeSplit.None => null,
        BpeSplit.Gpt2 => Gpt2Regex(),
        BpeSplit.Gpt4 => Gpt4Regex(),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown BPE split"),
    };

    /// <summary>Name used in saved files and display names: <c>none</c>, <c>gpt2</c>, <c>gpt4</c>.</summary>
    public static string ToFileName(BpeSplit split) => split switch
    {
        BpeSplit.None => "none",
        BpeSplit.Gpt2 => "gpt2",
        BpeSplit.Gpt4 => "gpt4",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown BPE split"),
    };

    public static bool TryParse(string name, out BpeSplit split)
    {
        switch (name)
        {
            case "none": split = BpeSplit.None; return true;
            case "gpt2": split = BpeSplit.Gpt2; return true;
            case "gpt4": split = BpeSplit.Gpt4; return true;
            default: split = default; return false;
        }
    }
}
