using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GenLab.Runner.Config;

/// <summary>Where and why YAML could not be read. Line and column are 1-based.</summary>
internal sealed record YamlFailure(int Line, int Column, string Message);

/// <summary>The first document's root (null when there is none), how many documents began, where the second one
/// starts, or why reading stopped.</summary>
internal sealed record YamlRead(ConfigNode? Root, int Documents, Mark SecondDocument, YamlFailure? Failure);

/// <summary>Builds <see cref="ConfigNode"/> trees straight from YamlDotNet's parser events, so aliases are expanded
/// under limits instead of by YamlDotNet's representation model. Nine levels of nine aliases each (a "billion laughs")
/// would otherwise expand to 9⁹ nodes, and <c>&amp;a [1, *a]</c> to a cycle that overflows the stack. Here an alias to
/// a node that is still open is a recursion error, the expanded tree may hold at most <see cref="MaxNodes"/> nodes and
/// nest <see cref="MaxDepth"/> levels, and the first limit reached stops the read with the alias's line and column.
/// Built without recursion (an explicit stack), so no input can overflow the stack.</summary>
internal sealed class YamlTree
{
    /// <summary>Nodes in one expanded document: an experiment file has a few hundred.</summary>
    public const int MaxNodes = 100_000;
    /// <summary>Nesting of collections: an experiment file has four or five levels.</summary>
    public const int MaxDepth = 64;

    private sealed class Open(ConfigNode node, string? anchor, Mark start, int firstNode)
    {
        public ConfigNode Node { get; } = node;
        public string? Anchor { get; } = anchor;
        public Mark Start { get; } = start;
        public int FirstNode { get; } = firstNode;
        public int Height { get; set; } = 1;
        /// <summary>A mapping's key that waits for its value; null when the next node is a key.</summary>
        public ScalarNode? Key { get; set; }
        /// <summary>A mapping's key that was not a plain string: its value is read and dropped.</summary>
        public bool DropValue { get; set; }
    }

    private sealed record Anchored(ConfigNode Node, int Size, int Height, Mark Start);

    private readonly string _file;
    private readonly string _dir;
    private readonly Origin? _fixedOrigin;
    private readonly List<ConfigError> _errors;
    private readonly Stack<Open> _open = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private int _nodes;
    private ConfigNode? _root;

    private YamlTree(string file, string dir, Origin? fixedOrigin, List<ConfigError> errors) =>
        (_file, _dir, _fixedOrigin, _errors) = (file, dir, fixedOrigin, errors);

    /// <param name="file">The file as errors name it.</param>
    /// <param name="dir">Where relative paths in the file's values resolve.</param>
    /// <param name="fixedOrigin">Labels every node (a <c>--set</c> value); otherwise each node's own line and column.</param>
    /// <param name="errors">Receives problems that do not stop the read (a key that is not a plain string).</param>
    public static YamlRead Read(string text, string file, string dir, Origin? fixedOrigin, List<ConfigError> errors) =>
        new YamlTree(file, dir, fixedOrigin, errors).Read(text);

    private YamlRead Read(string text)
    {
        var parser = new TrackingParser(new StringReader(text));
        int documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        if (++documents < 2) break;
                        var second = parser.Current.Start;
                        if (parser.MoveNext() && parser.Current is not DocumentEnd) second = parser.Current!.Start;
                        return new YamlRead(_root, documents, second, null);
                    case Scalar s:
                        if (Add(new ScalarNode(s.Value, s.Style, OriginAt(s.Start)), s.Anchor, s.Start, height: 1) is { } tooBig)
                            return Stop(tooBig);
                        break;
                    case SequenceStart seq:
                        if (Begin(new SequenceNode([], OriginAt(seq.Start)), seq.Anchor, seq.Start) is { } tooDeep) return Stop(tooDeep);
                        break;
                    case MappingStart map:
                        if (Begin(new MappingNode(OriginAt(map.Start)), map.Anchor, map.Start) is { } tooDeep2) return Stop(tooDeep2);
                        break;
                    case SequenceEnd or MappingEnd:
                        if (End() is { } failure) return Stop(failure);
                        break;
                    case AnchorAlias alias:
                        if (Alias(alias) is { } aliasFailure) return Stop(aliasFailure);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            string message = ParserMessage(ex);
            return Stop((message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? TabInIndentation(text, (int)ex.Start.Line) : null)
                ?? new YamlFailure((int)ex.Start.Line, (int)ex.Start.Column, message));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws a bare InvalidOperationException on some malformed input.
            var at = parser.LastGood;
            return Stop(new YamlFailure((int)at.Line, (int)at.Column, "cannot parse past this point (an unclosed bracket or quote?)"));
        }
        return new YamlRead(_root, documents, Mark.Empty, null);

        YamlRead Stop(YamlFailure failure) => new(null, documents, Mark.Empty, failure);
    }

    private Origin OriginAt(Mark start) => _fixedOrigin ?? new Origin(_file, (int)start.Line, (int)start.Column, _dir);

    private YamlFailure? Begin(ConfigNode node, AnchorName anchor, Mark start)
    {
        if (_open.Count + 1 > MaxDepth)
            return new YamlFailure((int)start.Line, (int)start.Column, $"nested more than {MaxDepth} levels deep");
        if (++_nodes > MaxNodes) return TooManyNodes(start);
        _open.Push(new Open(node, anchor.IsEmpty ? null : anchor.Value, start, _nodes - 1));
        return null;
    }

    private YamlFailure? End()
    {
        var done = _open.Pop();
        if (done.Anchor is { } name) _anchors[name] = new Anchored(done.Node, _nodes - done.FirstNode, done.Height, done.Start);
        return Attach(done.Node, done.Height, done.Start);
    }

    private YamlFailure? Add(ConfigNode node, AnchorName anchor, Mark start, int height)
    {
        if (++_nodes > MaxNodes) return TooManyNodes(start);
        if (!anchor.IsEmpty) _anchors[anchor.Value] = new Anchored(node, 1, height, start);
        return Attach(node, height, start);
    }

    /// <summary>An alias stands for a copy of its anchor's node: the copy counts against the node budget, so a few
    /// lines of nested aliases cannot grow into billions of nodes.</summary>
    private YamlFailure? Alias(AnchorAlias alias)
    {
        var (line, column) = ((int)alias.Start.Line, (int)alias.Start.Column);
        string name = alias.Value.Value;
        if (_open.FirstOrDefault(o => o.Anchor == name) is { } enclosing)
            return new YamlFailure(line, column,
                $"alias *{name} refers to the node that contains it (&{name} at {enclosing.Start.Line}:{enclosing.Start.Column}): a recursive structure has no end");
        if (!_anchors.TryGetValue(name, out var anchored))
            return new YamlFailure(line, column, $"alias *{name} names no anchor (&{name}) defined before it");
        if (_open.Count + anchored.Height > MaxDepth)
            return new YamlFailure(line, column, $"alias *{name} nests the document more than {MaxDepth} levels deep");
        if (_nodes + anchored.Size > MaxNodes)
            return new YamlFailure(line, column,
                $"alias *{name} expands the document past {MaxNodes} nodes (aliases of aliases multiply; an experiment needs a few hundred)");
        _nodes += anchored.Size;
        return Attach(Copy(anchored.Node), anchored.Height, alias.Start);
    }

    private YamlFailure? Attach(ConfigNode node, int height, Mark start)
    {
        if (!_open.TryPeek(out var parent))
        {
            _root ??= node;
            return null;
        }
        parent.Height = Math.Max(parent.Height, height + 1);
        switch (parent.Node)
        {
            case SequenceNode seq:
                seq.Items.Add(node);
                return null;
            case MappingNode map when parent.Key is null && !parent.DropValue:
                if (node is ScalarNode { IsNull: false } key)
                {
                    if (map.Get(key.Value) is not null)
                        return new YamlFailure((int)start.Line, (int)start.Column, $"duplicate key '{key.Value}'");
                    parent.Key = key;
                }
                else
                {
                    _errors.Add(node.Origin.Error("", "keys must be plain strings"));
                    parent.DropValue = true;
                }
                return null;
            case MappingNode map:
                if (parent.Key is { } k) map.Set(k, node);
                (parent.Key, parent.DropValue) = (null, false);
                return null;
            default:
                return null;
        }
    }

    private static YamlFailure TooManyNodes(Mark at) =>
        new((int)at.Line, (int)at.Column, $"more than {MaxNodes} nodes (an experiment needs a few hundred)");

    /// <summary>A deep copy: later steps (<c>--set</c>, merges) change mappings in place, which must not reach the
    /// anchor or other aliases of it. Its depth is at most <see cref="MaxDepth"/>.</summary>
    private static ConfigNode Copy(ConfigNode node) => node switch
    {
        SequenceNode seq => new SequenceNode(seq.Items.Select(Copy).ToList(), seq.Origin),
        MappingNode map => CopyMapping(map),
        _ => node,      // scalars are immutable
    };

    private static MappingNode CopyMapping(MappingNode map)
    {
        var copy = new MappingNode(map.Origin);
        foreach (var (key, value) in map.Entries) copy.Entries.Add((key, Copy(value)));
        return copy;
    }

    /// <summary>YamlDotNet reports a tab in indentation at the start of the enclosing mapping (often 1:1); the user
    /// needs the tab's own line. The first line at or after the reported one that indents with a tab is it.</summary>
    private static YamlFailure? TabInIndentation(string text, int reportedLine)
    {
        var lines = text.Split('\n');
        for (int i = Math.Max(0, reportedLine - 1); i < lines.Length; i++)
        {
            int indent = 0;
            while (indent < lines[i].Length && lines[i][indent] is ' ' or '\t') indent++;
            int tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0 && indent < lines[i].TrimEnd('\r').Length)
                return new YamlFailure(i + 1, tab + 1, "a tab in the indentation (YAML indents with spaces only)");
        }
        return null;
    }

    // YamlException.Message repeats the position ("(Line: 4, Col: 9, Idx: 40) - (...): ..."), which the error
    // already carries; the inner exception often holds the more specific reason.
    private static string ParserMessage(YamlException ex)
    {
        Exception inner = ex;
        while (inner.InnerException is YamlException next) inner = next;
        var message = inner.Message;
        var split = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && split >= 0 ? message[(split + 3)..] : message;
    }
}
