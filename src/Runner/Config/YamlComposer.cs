using YamlDotNet.Core;

namespace GenLab.Runner.Config;

/// <summary>Reads an experiment file and the files it <c>extends</c> into one <see cref="MappingNode"/> tree:
/// mappings merge key by key (the extending file wins), sequences and scalars are replaced whole.</summary>
internal sealed class YamlComposer
{
    internal const string ExtendsKey = "extends";
    /// <summary>Experiment files are a few KiB; the cap keeps a wrong path (a data file, a log) from being read whole.</summary>
    public const int MaxFileBytes = 1 << 20;

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

        if (new FileInfo(fullPath).Length is var bytes and > MaxFileBytes)
        {
            _errors.Add(new ConfigError(display, 0, 0, "", $"{bytes} bytes; an experiment file is at most {MaxFileBytes >> 20} MiB"));
            return null;
        }
        var dir = fullPath == _rootPath && _rootPathBase is not null ? _rootPathBase : Path.GetDirectoryName(fullPath)!;
        var read = YamlTree.Read(File.ReadAllText(fullPath), display, dir, null, _errors);
        if (read.Failure is { } failure)
        {
            _errors.Add(new ConfigError(display, failure.Line, failure.Column, "", $"invalid YAML: {failure.Message}"));
            return null;
        }
        if (read.Documents == 0)
        {
            _errors.Add(new ConfigError(display, 0, 0, "", "file is empty"));
            return null;
        }
        if (read.Documents > 1)
        {
            _errors.Add(new ConfigError(display, (int)read.SecondDocument.Line, (int)read.SecondDocument.Column, "",
                "expected a single YAML document"));
            return null;
        }
        var root = read.Root;
        if (root is MappingNode map) return map;
        if (root is not null)
            _errors.Add(root.Origin.Error("", "the top level of an experiment file must be a mapping of keys"));
        return null;
    }

    /// <summary>Parses one <c>--set</c> value as a YAML node; flow collections (<c>[1, 2]</c>) are allowed.</summary>
    /// <param name="column">Where the value starts in the <c>key=value</c> argument, for errors that have a column.</param>
    public static ConfigNode? ParseValue(string text, Origin origin, string keyPath, int column, List<ConfigError> errors)
    {
        var read = YamlTree.Read(text, origin.File, origin.BaseDir, origin, errors);
        if (read.Failure is { } failure)
        {
            errors.Add(failure.Line == 1
                ? new ConfigError(origin.File, origin.Line, column + failure.Column - 1, keyPath, $"invalid YAML value '{text}': {failure.Message}")
                : origin.Error(keyPath, $"invalid YAML value '{text}': {failure.Message}"));
            return null;
        }
        return read.Root ?? new ScalarNode("", ScalarStyle.Plain, origin);
    }

    /// <summary>Relative to the working directory when inside it, so messages match what the user typed.</summary>
    public static string DisplayPath(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
