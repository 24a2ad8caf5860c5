using GenLab.Models.Configuration;

namespace GenLab.Runner.Data;

/// <summary>Public data an experiment names by where to get it and what it must hash to, written in place of a local
/// path for any <see cref="FilePathAttribute"/> key:
/// <code>
/// data:
///   path:
///     file: tinyshakespeare.txt
///     url: https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt
///     sha256: 86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed
/// </code>
/// The SHA-256 is the file's identity: any copy with it is the same data, wherever it was found, and a copy without it
/// is never used.</summary>
public sealed record DataSource : IValidatable
{
    /// <summary>The name the file has in a data folder (<c>--data-dir</c>, <c>GENLAB_DATA</c>) and in the cache.</summary>
    public required string File { get; init; }
    public required string Url { get; init; }
    /// <summary>64 hexadecimal digits, lower case once bound.</summary>
    public required string Sha256 { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (!IsFileName(File))
            yield return new("file", $"expected a file name without folders, got '{File}' (it is looked up in --data-dir, GENLAB_DATA and the cache)");
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new("url", $"expected an http:// or https:// URL, got '{Url}'");
        if (Sha256.Length != 64 || !Sha256.All(char.IsAsciiHexDigit))
            yield return new("sha256", $"expected the file's SHA-256 as 64 hexadecimal digits, got '{Sha256}' ({Sha256.Length} characters)");
    }

    private static bool IsFileName(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.Trim() == name
        && name.IndexOfAny(['/', '\\']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}
