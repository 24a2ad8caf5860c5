using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenLab.Runner.Config;

/// <summary>Reads an experiment file and the files it <c>extends</c> into one <see cref="MappingNode"/> tree:
/// mappings merge key by key (the extending file wins), sequences and scalars are replaced whole.</summary>
internal sealed class YamlComposer
{
    internal const string ExtendsKey = "extends";

    private readonly List<ConfigError> _errors;
    private readonly List<string> _sourceFiles = [];

    public YamlComposer(List<ConfigError> errors) => _errors = errors;

    /// <summary>Full paths of every file read, the top file first.</summary>
    public IReadOnlyList<string> SourceFiles => _sourceFiles;

    /// <summary>Null when the file cannot be read or parsed; the reasons are in the error list.</summary>
    /// <param name="pathBase">Where relative file paths in the top file resolve; by default, that file's folder.
    /// A run folder's resolved experiment.yaml resolves against the directory the run was started from.</param>
    public MappingNode? Compose(string path, string? pathBase = null)
    {
        _rootPathBase = pathBase is null ? null : Path.GetFullPath(pathBase);
        _rootPath = Path.GetFullPath(path);
        return Compose(_rootPath, [], null);
    }

    private string? _rootPathBase;
    private string? _rootPath;

    private MappingNode? Compose(string fullPath, List<string> chain, Origin? referencedFrom)
    {
        if (chain.Contains(fullPath))
        {
            var cycle = string.Join(" -> ", chain.Append(fullPath).Select(DisplayPath));
            _errors.Add(referencedFrom!.Error(ExtendsKey, $"extends cycle: {cycle}"));
            return null;
        }
        var root = Parse(fullPath, referencedFrom);
        if (root is null) return null;
        if (!_sourceFiles.Contains(fullPath)) _sourceFiles.Add(fullPath);

        var extends = root.Get(ExtendsKey);
        root.Remove(ExtendsKey);
        if (extends is null) return root;

        MappingNode? merged = null;
        chain.Add(fullPath);
        foreach (var baseRef in ExtendsTargets(extends))
        {
            var basePath = Path.GetFullPath(Path.Combine(baseRef.Origin.BaseDir, baseRef.Value));
            var baseRoot = Compose(basePath, chain, baseRef.Origin);
            if (baseRoot is null) continue;
            merged = merged is null ? baseRoot : (MappingNode)Merge(merged, baseRoot);
        }
        chain.RemoveAt(chain.Count - 1);
        return merged is null ? root : (MappingNode)Merge(merged, root);
    }

    private List<ScalarNode> ExtendsTargets(ConfigNode extends)
    {
        var items = extends is SequenceNode seq ? seq.Items : [extends];
        var targets = new List<ScalarNode>();
        foreach (var item in items)
        {
            if (item is ScalarNode { IsNull: false } s) targets.Add(s);
            else _errors.Add(item.Origin.Error(ExtendsKey, "expected a file path or a list of file paths"));
        }
        return targets;
    }

    /// <summary>The base node's keys keep their order; the override's values win.</summary>
    public static ConfigNode Merge(ConfigNode baseNode, ConfigNode overrideNode)
    {
        if (baseNode is not MappingNode baseMap || overrideNode is not MappingNode overMap) return overrideNode;
        var result = new MappingNode(overMap.Origin);
        result.Entries.AddRange(baseMap.Entries);
        foreach (var (key, value) in overMap.Entries)
        {
            var existing = result.Get(key.Value);
            result.Set(key, existing is null ? value : Merge(existing, value));
        }
        return result;
    }

    private MappingNode? Parse(string fullPath, Origin? referencedFrom)
    {
        var display = DisplayPath(fullPath);
        if (!File.Exists(fullPath))
        {
            _errors.Add(referencedFrom is null
                ? new ConfigError(display, 0, 0, "", "file not found")
                : referencedFrom.Error(ExtendsKey, $"file not found: {display}"));
            return null;
        }

        using var reader = new StreamReader(fullPath);
        if (!TryLoad(reader, out var stream, out var failure))
        {
            _errors.Add(new ConfigError(display, failure.Line, failure.Column, "", $"invalid YAML: {failure.Message}"));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            _errors.Add(new ConfigError(display, 0, 0, "", "file is empty"));
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            _errors.Add(new ConfigError(display, (int)second.Line, (int)second.Column, "",
                "expected a single YAML document"));
            return null;
        }
        var dir = fullPath == _rootPath && _rootPathBase is not null ? _rootPathBase : Path.GetDirectoryName(fullPath)!;
        var root = Convert(stream.Documents[0].RootNode, display, dir, _errors);
        if (root is MappingNode map) return map;
        if (root is not null)
            _errors.Add(root.Origin.Error("", "the top level of an experiment file must be a mapping of keys"));
        return null;
    }

    /// <summary>Parses one <c>--set</c> value as a YAML node; flow collections (<c>[1, 2]</c>) are allowed.</summary>
    public static ConfigNode? ParseValue(string text, Origin origin, string keyPath, List<ConfigError> errors)
    {
        if (!TryLoad(new StringReader(text), out var stream, out var failure))
        {
            errors.Add(origin.Error(keyPath, $"invalid YAML value '{text}': {failure.Message}"));
            return null;
        }
        if (stream.Documents.Count == 0) return new ScalarNode("", ScalarStyle.Plain, origin);
        return Convert(stream.Documents[0].RootNode, origin.File, origin.BaseDir, errors, origin);
    }

    /// <summary>Converts YamlDotNet's tree; a fixed origin labels every node (used for <c>--set</c>).</summary>
    private static ConfigNode? Convert(YamlNode node, string file, string dir, List<ConfigError> errors,
        Origin? fixedOrigin = null)
    {
        var origin = fixedOrigin ?? new Origin(file, (int)node.Start.Line, (int)node.Start.Column, dir);
        switch (node)
        {
            case YamlScalarNode s:
                return new ScalarNode(s.Value ?? "", s.Style, origin);
            case YamlSequenceNode seq:
                var items = new List<ConfigNode>();
                foreach (var child in seq.Children)
                    if (Convert(child, file, dir, errors, fixedOrigin) is { } c) items.Add(c);
                return new SequenceNode(items, origin);
            case YamlMappingNode map:
                var result = new MappingNode(origin);
                foreach (var (key, value) in map.Children)
                {
                    var keyNode = Convert(key, file, dir, errors, fixedOrigin);
                    if (keyNode is not ScalarNode k || k.IsNull)
                    {
                        errors.Add((keyNode?.Origin ?? origin).Error("", "keys must be plain strings"));
                        continue;
                    }
                    if (Convert(value, file, dir, errors, fixedOrigin) is { } v) result.Set(k, v);
                }
                return result;
            default:
                errors.Add(origin.Error("", $"unsupported YAML node {node.NodeType}"));
                return null;
        }
    }

    private static bool TryLoad(TextReader reader, out YamlStream stream, out (int Line, int Column, string Message) failure)
    {
        stream = new YamlStream();
        var parser = new TrackingParser(reader);
        failure = default;
        try
        {
            stream.Load(parser);
            return true;
        }
        catch (YamlException ex)
        {
            failure = ((int)ex.Start.Line, (int)ex.Start.Column, ParserMessage(ex));
        }
        catch (InvalidOperationException)
        {
            var at = parser.LastGood;
            failure = ((int)at.Line, (int)at.Column, "cannot parse past this point (an unclosed bracket or quote?)");
        }
        return false;
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

    /// <summary>Relative to the working directory when inside it, so messages match what the user typed.</summary>
    public static string DisplayPath(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
