using System.Collections;
using System.Globalization;
using System.Reflection;
using GenLab.Models.Configuration;
using GenLab.Runner.Data;

namespace GenLab.Runner.Config;

/// <summary>Binds a composed YAML tree to config records by reflection, strictly: unknown keys, wrong types,
/// missing required keys, unknown enum values, missing files and <see cref="IValidatable"/> issues are all errors,
/// each at the line that caused it. Errors are collected so one run reports everything.</summary>
/// <param name="data">Where files named by URL and SHA-256 are looked for; the environment's search when null.</param>
internal sealed class ConfigBinder(List<ConfigError> errors, DataSearch? data = null)
{
    // Not thread-safe, hence one per binder.
    private readonly NullabilityInfoContext _nullability = new();
    private readonly List<LocatedData> _located = [];
    private DataSearch? _data = data;

    /// <summary>The files named by URL and SHA-256 (<see cref="DataSource"/>) so far, with the paths bound for them.</summary>
    public IReadOnlyList<LocatedData> Located => _located;

    /// <summary>Binds <c>kind</c> first because it decides the record types of <c>data</c> and <c>model</c>.
    /// Null when anything failed.</summary>
    public ExperimentConfig? BindExperiment(MappingNode root)
    {
        // A scratch binder: the real pass below binds `kind` again and reports its errors once.
        ExperimentKind? kind = root.Get("kind") is { } kindNode
            && new ConfigBinder([]).TryBind(kindNode, typeof(ExperimentKind), "kind", false, false, out var k)
            ? (ExperimentKind)k! : null;
        var sections = kind is { } known ? ExperimentKinds.SectionTypes(known) : default;

        var before = errors.Count;
        var config = BindRecord(root, typeof(ExperimentConfig), "", prop =>
            prop.PropertyType != typeof(object) ? prop.PropertyType
            // Without a valid kind the sections cannot be checked; the kind error says why.
            : kind is null ? null
            : prop.Name == nameof(ExperimentConfig.Data) ? sections.Data
            : prop.Name == nameof(ExperimentConfig.Model) ? sections.Model
            : null);
        if (errors.Count != before) return null;
        var experiment = (ExperimentConfig)config;
        // A kind whose section records need nothing (every key has a default) may leave the section out.
        if (root.Get("data") is null) experiment = experiment with { Data = DefaultSection(sections.Data, "data", root) };
        if (root.Get("model") is null) experiment = experiment with { Model = DefaultSection(sections.Model, "model", root) };
        return errors.Count == before ? experiment : null;
    }

    private object DefaultSection(Type type, string key, MappingNode root)
    {
        var required = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(IsRequired)
            .Select(p => ConfigNames.SnakeCase(p.Name)).ToList();
        if (required.Count > 0)
            errors.Add(root.Origin.Error(key, $"missing required key (its {string.Join(", ", required)} must be given)"));
        return Activator.CreateInstance(type)!;
    }

    /// <param name="typeOf">The type to bind a property's value to; null skips the key.</param>
    internal object BindRecord(MappingNode map, Type type, string path, Func<PropertyInfo, Type?>? typeOf = null)
    {
        var instance = Activator.CreateInstance(type)!;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => ConfigNames.SnakeCase(p.Name));
        var before = errors.Count;

        foreach (var (key, value) in map.Entries)
        {
            var keyPath = Join(path, key.Value);
            if (!properties.TryGetValue(key.Value, out var property))
            {
                var suggestion = ConfigNames.Suggest(key.Value, properties.Keys);
                errors.Add(key.Origin.Error(keyPath, suggestion is null
                    ? $"unknown key (valid keys: {string.Join(", ", properties.Keys)})"
                    : $"unknown key (did you mean `{suggestion}`?)"));
                continue;
            }
            var target = typeOf is null ? property.PropertyType : typeOf(property);
            if (target is null) continue;
            if (TryBind(value, target, keyPath, AllowsNull(property), property.IsDefined(typeof(FilePathAttribute)),
                    out var bound, property.GetCustomAttribute<MaxAttribute>()?.Value))
                property.SetValue(instance, bound);
        }

        foreach (var (key, property) in properties)
            if (IsRequired(property) && map.Get(key) is null)
                errors.Add(map.Origin.Error(Join(path, key), "missing required key"));

        // Defaults standing in for values that failed to bind would only add confusing issues.
        if (errors.Count == before && instance is IValidatable validatable)
            foreach (var issue in validatable.Validate())
                errors.Add(IssueOrigin(map, issue.Key).Error(Join(path, issue.Key), issue.Message));
        return instance;
    }

    /// <summary>Where an issue is reported: at its key when the file sets it, else at the start of the mapping that
    /// would hold it. A dotted key (<c>data.size</c>, from a check across sections) is followed down the tree.</summary>
    private static Origin IssueOrigin(MappingNode map, string key)
    {
        var parts = key.Split('.');
        for (int p = 0; p < parts.Length; p++)
        {
            if (map.IndexOf(parts[p]) is not (var i and >= 0)) return map.Origin;
            if (p == parts.Length - 1 || map.Entries[i].Value is not MappingNode child) return map.Entries[i].Key.Origin;
            map = child;
        }
        return map.Origin;
    }

    /// <param name="max">The key's <see cref="MaxAttribute"/>: the largest integer it (or each item of its list) takes.</param>
    private bool TryBind(ConfigNode node, Type type, string path, bool allowNull, bool filePath, out object? value, long? max = null)
    {
        value = null;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            (type, allowNull) = (underlying, true);

        if (node is ScalarNode { IsNull: true })
            return allowNull || Fail(node, path, $"expected {Describe(type)}, got null");

        if (type == typeof(string))
        {
            if (filePath && node is MappingNode source)
            {
                value = Locate(source, path);
                return value is not null;
            }
            if (node is not ScalarNode s)
                return Fail(node, path, filePath
                    ? $"expected a file path or {{ file, url, sha256 }}, got {DescribeNode(node)}"
                    : $"expected a string, got {DescribeNode(node)}");
            value = filePath ? ResolveFile(s, path) : s.Value;
            return value is not null;
        }
        if (type == typeof(int)) return TryInteger(node, path, int.MinValue, int.MaxValue, max, v => (int)v, out value);
        if (type == typeof(long)) return TryInteger(node, path, long.MinValue, long.MaxValue, max, v => v, out value);
        if (type == typeof(double)) return TryFloat(node, path, double.MaxValue, v => v, out value);
        if (type == typeof(float)) return TryFloat(node, path, float.MaxValue, v => (float)v, out value);
        if (type == typeof(bool)) return TryBool(node, path, out value);
        if (type.IsEnum) return TryEnum(node, type, path, out value);

        if (ListElementType(type) is { } elementType)
        {
            if (node is not SequenceNode seq) return Fail(node, path, $"expected a list, got {DescribeNode(node)}");
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            var ok = true;
            for (var i = 0; i < seq.Items.Count; i++)
            {
                // A failed item is left out; the error already makes the whole load fail.
                if (TryBind(seq.Items[i], elementType, $"{path}[{i}]", false, filePath, out var item, max)) list.Add(item);
                else ok = false;
            }
            if (type.IsArray)
            {
                var array = Array.CreateInstance(elementType, list.Count);
                list.CopyTo(array, 0);
                value = array;
            }
            else value = list;
            return ok;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not MappingNode map) return Fail(node, path, $"expected a mapping, got {DescribeNode(node)}");
            var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            var ok = true;
            foreach (var (key, item) in map.Entries)
            {
                if (TryBind(item, valueType, Join(path, key.Value), false, filePath, out var bound)) dict[key.Value] = bound;
                else ok = false;
            }
            value = dict;
            return ok;
        }

        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null)
        {
            if (node is not MappingNode map) return Fail(node, path, $"expected a mapping, got {DescribeNode(node)}");
            var before = errors.Count;
            value = BindRecord(map, type, path);
            return errors.Count == before;
        }

        return Fail(node, path, $"the loader cannot bind properties of type {type.Name}");
    }

    private bool TryInteger(ConfigNode node, string path, long min, long max, long? limit, Func<long, object> box, out object? value)
    {
        value = null;
        if (node is not ScalarNode { IsPlain: true } s || !IsIntegerText(s.Value))
            return Fail(node, path, $"expected an integer, got {DescribeNode(node)}");
        if (!long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            return Fail(node, path, $"integer {s.Value} is out of range ({min} to {max})");
        if (v > limit)
            return Fail(node, path, $"{v} is above this key's limit of {limit}");
        value = box(v);
        return true;
    }

    private static bool IsIntegerText(string text)
    {
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit);
    }

    private bool TryFloat(ConfigNode node, string path, double max, Func<double, object> box, out object? value)
    {
        value = null;
        if (node is not ScalarNode { IsPlain: true } s)
            return Fail(node, path, $"expected a number, got {DescribeNode(node)}");
        // YAML's .nan and ±.inf: no key has a use for them, and a NaN compares false with every bound Validate checks.
        if (s.Value.TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf")
            return Fail(node, path, $"expected a finite number, got '{s.Value}'");
        // The digit check keeps out .NET spellings YAML does not have ("NaN", "Infinity").
        if (!s.Value.Any(char.IsAsciiDigit) || !double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            return Fail(node, path, $"expected a number, got {DescribeNode(node)}");
        if (!double.IsFinite(v) || Math.Abs(v) > max)
            return Fail(node, path, $"number {s.Value} is out of range");
        value = box(v);
        return true;
    }

    private bool TryBool(ConfigNode node, string path, out object? value)
    {
        value = node is ScalarNode { IsPlain: true } s
            ? s.Value switch { "true" or "True" or "TRUE" => true, "false" or "False" or "FALSE" => false, _ => null }
            : null;
        return value is not null || Fail(node, path, $"expected true or false, got {DescribeNode(node)}");
    }

    private bool TryEnum(ConfigNode node, Type type, string path, out object? value)
    {
        value = null;
        var members = Enum.GetValues(type).Cast<object>().ToList();
        var spellings = members.Select(m => ConfigNames.EnumSpelling(type, m)).ToList();
        if (node is not ScalarNode s)
            return Fail(node, path, $"expected one of {string.Join(", ", spellings)}, got {DescribeNode(node)}");

        var typed = ConfigNames.NormalizeEnum(s.Value);
        for (var i = 0; i < members.Count; i++)
            if (typed == ConfigNames.NormalizeEnum(spellings[i])
                || typed == ConfigNames.NormalizeEnum(Enum.GetName(type, members[i])!))
            {
                value = members[i];
                return true;
            }
        var suggestion = ConfigNames.Suggest(s.Value, spellings);
        var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
        return Fail(node, path, $"unknown value '{s.Value}'{hint}; valid values: {string.Join(", ", spellings)}");
    }

    /// <summary>Relative paths resolve against the directory of the YAML file that set them (the working directory
    /// for <c>--set</c>), so a base file's data path keeps working when another file extends it.</summary>
    private string? ResolveFile(ScalarNode s, string path)
    {
        if (s.Value.Length == 0)
        {
            Fail(s, path, "expected a file path, got an empty string");
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(s.Origin.BaseDir, s.Value));
        if (File.Exists(full)) return full;
        Fail(s, path, $"file not found: {YamlComposer.DisplayPath(full)}");
        return null;
    }

    /// <summary>A file named by URL and SHA-256 binds to the path of the copy the data search finds, or to the cache
    /// path it will be fetched to. Nothing is read or fetched here, so <c>validate</c> stays offline; the runner
    /// verifies or fetches every <see cref="Located"/> file before a run uses it.</summary>
    private string? Locate(MappingNode map, string path)
    {
        var before = errors.Count;
        var source = (DataSource)BindRecord(map, typeof(DataSource), path);
        if (errors.Count != before) return null;
        source = source with { Sha256 = source.Sha256.ToLowerInvariant() };
        _data ??= DataSearch.FromEnvironment();
        var local = _data.Locate(source);
        if (_located.FirstOrDefault(l => l.Path == local && l.Source != source) is { } other)
        {
            Fail(map, path, $"names {source.File} with another url or sha256 than {other.KeyPath} does; give one of them another file name");
            return null;
        }
        _located.Add(new LocatedData(source, local, path, $"{map.Origin.File}:{map.Origin.Line}"));
        return local;
    }

    // By name: ScottPlot ships its own polyfill of RequiredMemberAttribute, so the type name is ambiguous here.
    internal static bool IsRequired(PropertyInfo property) => property.CustomAttributes.Any(a =>
        a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");

    private bool AllowsNull(PropertyInfo property) =>
        !property.PropertyType.IsValueType && _nullability.Create(property).WriteState == NullabilityState.Nullable;

    internal static Type? ListElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
               || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>)
               || definition == typeof(ICollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    internal static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        return (definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)
                || definition == typeof(IDictionary<,>)) && args[0] == typeof(string)
            ? args[1]
            : null;
    }

    private bool Fail(ConfigNode node, string path, string message)
    {
        errors.Add(node.Origin.Error(path, message));
        return false;
    }

    private static string Describe(Type type) =>
        type == typeof(int) || type == typeof(long) ? "an integer"
        : type == typeof(double) || type == typeof(float) ? "a number"
        : type == typeof(bool) ? "true or false"
        : type == typeof(string) ? "a string"
        : ListElementType(type) is not null ? "a list"
        : type.IsEnum ? "one of " + string.Join(", ", Enum.GetValues(type).Cast<object>().Select(v => ConfigNames.EnumSpelling(type, v)))
        : "a mapping";

    private static string DescribeNode(ConfigNode node) => node switch
    {
        MappingNode => "a mapping",
        SequenceNode => "a list",
        ScalarNode { IsPlain: true } s => $"'{s.Value}'",
        ScalarNode s => $"the quoted string \"{s.Value}\"",
        _ => node.GetType().Name,
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
