using YamlDotNet.Core;

namespace GenLab.Runner.Config;

/// <summary>Where a value was written. <see cref="BaseDir"/> is the directory that relative file paths in the
/// value resolve against: the YAML file's directory, or the working directory for <c>--set</c>.</summary>
internal sealed record Origin(string File, int Line, int Column, string BaseDir)
{
    public ConfigError Error(string keyPath, string message) => new(File, Line, Column, keyPath, message);
}

/// <summary>A YAML node that remembers its origin. YamlDotNet's nodes carry line and column but not the file, and
/// after an <c>extends</c> merge one tree mixes nodes from several files.</summary>
internal abstract class ConfigNode(Origin origin)
{
    public Origin Origin { get; } = origin;
}

internal sealed class ScalarNode(string value, ScalarStyle style, Origin origin) : ConfigNode(origin)
{
    public string Value { get; } = value;
    public ScalarStyle Style { get; } = style;

    /// <summary>YAML 1.2 core-schema null: only unquoted <c>null</c>, <c>~</c> or nothing.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
    public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any;
}

internal sealed class SequenceNode(List<ConfigNode> items, Origin origin) : ConfigNode(origin)
{
    public List<ConfigNode> Items { get; } = items;
}

internal sealed class MappingNode(Origin origin) : ConfigNode(origin)
{
    // Ordered so errors and merges follow the file's key order.
    public List<(ScalarNode Key, ConfigNode Value)> Entries { get; } = [];

    public int IndexOf(string key) => Entries.FindIndex(e => e.Key.Value == key);

    public ConfigNode? Get(string key) => IndexOf(key) is var i and >= 0 ? Entries[i].Value : null;

    public void Set(ScalarNode key, ConfigNode value)
    {
        var i = IndexOf(key.Value);
        if (i >= 0) Entries[i] = (key, value);
        else Entries.Add((key, value));
    }

    public void Remove(string key)
    {
        var i = IndexOf(key);
        if (i >= 0) Entries.RemoveAt(i);
    }
}
