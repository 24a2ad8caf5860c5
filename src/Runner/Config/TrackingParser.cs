using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GenLab.Runner.Config;

/// <summary>Remembers where the last good event ended. YamlDotNet's scanner throws a bare
/// InvalidOperationException on some malformed input (an unclosed flow sequence), and the user still needs a line.</summary>
internal sealed class TrackingParser(TextReader reader) : IParser
{
    private readonly Parser _inner = new(reader);

    public Mark LastGood { get; private set; } = Mark.Empty;

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        if (_inner.Current is { } current) LastGood = current.End;
        return _inner.MoveNext();
    }
}
