using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using GenLab.Runner.Config;

namespace GenLab.Runner.Sweeps;

/// <summary>One value a sweep gives a key: the YAML text a run receives as <c>--set key=text</c>, and where it was
/// written (the experiment file's line and column, or the <c>--grid</c> argument), so an invalid value is reported there.</summary>
public sealed record SweepValue(string Text, string File, int Line, int Column);

/// <summary>A config key and the values a sweep gives it.</summary>
public sealed record SweepAxis(string Key, IReadOnlyList<SweepValue> Values);

/// <summary>One run of a sweep: the value of each swept key it sets, in the sweep's key order.</summary>
public sealed record SweepPoint(IReadOnlyList<(string Key, SweepValue Value)> Values)
{
    /// <summary><c>key=value</c> strings, as <c>--set</c> takes them.</summary>
    public IReadOnlyList<string> Overrides => Values.Select(v => $"{v.Key}={v.Value.Text}").ToList();

    /// <summary>"training.lr=0.003 seed=2".</summary>
    public string Label => string.Join(" ", Overrides);
}

/// <summary>What a sweep varies: the <c>sweep:</c> section of an experiment file, and <c>genlab sweep --grid</c>.
/// <code>
/// sweep:
///   grid:                      # every combination of these values
///     training.lr: [0.001, 0.003, 0.01]
///     model.hidden_size: [32, 64]
///   list:                      # whole variants, each crossed with the grid
///     - { model.context_length: 2, model.embedding_dim: 8 }
///     - { model.context_length: 4, model.embedding_dim: 16 }
///   seeds: [1, 2, 3]           # each of the above with each seed (the top-level seed key)
/// </code>
/// gives 3 × 2 × 2 × 3 = 36 runs. Keys are dotted paths as <c>--set</c> takes them; this class checks the section's
/// shape at the YAML edge, and <see cref="SweepPlanner"/> checks every value by loading each run's config.</summary>
public sealed record SweepSpec(IReadOnlyList<IReadOnlyList<(string Key, SweepValue Value)>> List, IReadOnlyList<SweepAxis> Grid)
{
    public const string SectionKey = "sweep";
    public const string GridKey = "grid";
    public const string ListKey = "list";
    public const string SeedsKey = "seeds";
    public const string GridOption = "--grid";
    /// <summary>Slurm's default MaxArraySize is 1001 (task ids 0 to 1000); more runs than that is a mistake in a course.</summary>
    public const int MaxRuns = 1000;

    private static readonly string[] SectionKeys = [GridKey, ListKey, SeedsKey];

    /// <summary>The swept keys: the list's in order of appearance, then the grid's.</summary>
    public IReadOnlyList<string> Keys =>
        List.SelectMany(v => v.Select(k => k.Key)).Concat(Grid.Select(a => a.Key)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>How many runs: the variants (one when there is no list) times every grid axis's values.</summary>
    public long Count => Grid.Aggregate((long)Math.Max(1, List.Count), (n, axis) => Math.Min(n * axis.Values.Count, MaxRuns + 1L));

    /// <summary>Every run: each variant of the list crossed with the grid, the first grid key varying slowest (nested
    /// loops in the order written).</summary>
    public IReadOnlyList<SweepPoint> Points()
    {
        var points = (List.Count == 0 ? [[]] : List).Select(v => v.ToList()).ToList();
        foreach (var axis in Grid)
            points = [.. points.SelectMany(p => axis.Values.Select(value => (List<(string, SweepValue)>)[.. p, (axis.Key, value)]))];
        var keys = Keys;
        return points.Select(p => new SweepPoint(p.OrderBy(v => IndexOf(keys, v.Item1)).ToList())).ToList();
    }

    /// <summary>This sweep with <paramref name="axes"/> (<c>--grid</c>) added; an axis of a key the file sweeps replaces it.</summary>
    public SweepSpec WithGrid(IReadOnlyList<SweepAxis> axes)
    {
        var grid = Grid.Select(a => axes.FirstOrDefault(x => x.Key == a.Key) ?? a).ToList();
        grid.AddRange(axes.Where(a => grid.All(g => g.Key != a.Key)));
        var list = List.Select(v => (IReadOnlyList<(string, SweepValue)>)v.Where(k => axes.All(a => a.Key != k.Key)).ToList())
            .Where(v => v.Count > 0).ToList();
        return new SweepSpec(list, grid);
    }

    /// <summary>The <c>sweep:</c> section, checked for shape; null (with the errors) when it is wrong.</summary>
    internal static SweepSpec? Read(ConfigNode node, List<ConfigError> errors)
    {
        int before = errors.Count;
        if (node is not MappingNode section)
        {
            errors.Add(node.Origin.Error(SectionKey, "expected a mapping of grid, list and seeds (sweep: { grid: { training.lr: [0.001, 0.003] } })"));
            return null;
        }
        foreach (var (key, _) in section.Entries.Where(e => !SectionKeys.Contains(e.Key.Value)))
            errors.Add(key.Origin.Error($"{SectionKey}.{key.Value}", ConfigNames.Suggest(key.Value, SectionKeys) is { } suggestion
                ? $"unknown key (did you mean `{suggestion}`?)" : $"unknown key (valid keys: {string.Join(", ", SectionKeys)})"));

        var grid = new List<SweepAxis>();
        if (section.Get(GridKey) is { } gridNode)
        {
            if (gridNode is not MappingNode axes || axes.Entries.Count == 0)
                errors.Add(gridNode.Origin.Error($"{SectionKey}.{GridKey}", "expected a mapping of config keys to lists of values (training.lr: [0.001, 0.003])"));
            else
                foreach (var (key, values) in axes.Entries)
                {
                    string path = $"{SectionKey}.{GridKey}.{key.Value}";
                    if (!CheckKey(key.Value, key.Origin, path, errors)) continue;
                    if (values is not SequenceNode items)
                        errors.Add(values.Origin.Error(path, $"expected a list of values, e.g. [{FromFile(values).Text}, …]"));
                    else if (items.Items.Count == 0) errors.Add(values.Origin.Error(path, "an empty list gives no runs"));
                    else grid.Add(new SweepAxis(key.Value, items.Items.Select(FromFile).ToList()));
                }
        }

        var list = new List<IReadOnlyList<(string, SweepValue)>>();
        if (section.Get(ListKey) is { } listNode)
        {
            if (listNode is not SequenceNode variants || variants.Items.Count == 0)
                errors.Add(listNode.Origin.Error($"{SectionKey}.{ListKey}", "expected a list of variants, each a mapping of config keys to values "
                    + "(- { training.lr: 0.001, model.hidden_size: 32 })"));
            else
                for (int i = 0; i < variants.Items.Count; i++)
                {
                    string path = $"{SectionKey}.{ListKey}[{i}]";
                    if (variants.Items[i] is not MappingNode variant || variant.Entries.Count == 0)
                    {
                        errors.Add(variants.Items[i].Origin.Error(path, "expected a mapping of config keys to values ({ training.lr: 0.001 })"));
                        continue;
                    }
                    var values = new List<(string, SweepValue)>();
                    foreach (var (key, value) in variant.Entries)
                        if (CheckKey(key.Value, key.Origin, $"{path}.{key.Value}", errors)) values.Add((key.Value, FromFile(value)));
                    list.Add(values);
                }
        }

        if (section.Get(SeedsKey) is { } seedsNode)
        {
            string path = $"{SectionKey}.{SeedsKey}";
            if (seedsNode is not SequenceNode seeds || seeds.Items.Count == 0
                || seeds.Items.Any(s => s is not ScalarNode { IsPlain: true } v || !long.TryParse(v.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
                errors.Add(seedsNode.Origin.Error(path, "expected a list of whole-number seeds, e.g. [1, 2, 3]"));
            else if (grid.Any(a => a.Key == "seed") || list.Any(v => v.Any(k => k.Item1 == "seed")))
                errors.Add(seedsNode.Origin.Error(path, "the seed is already swept by grid or list; give the seeds in one place"));
            else grid.Add(new SweepAxis("seed", seeds.Items.Select(FromFile).ToList()));
        }

        if (errors.Count == before && grid.Count == 0 && list.Count == 0)
            errors.Add(section.Origin.Error(SectionKey, "sweeps nothing: give grid, list or seeds"));
        foreach (string key in grid.Select(a => a.Key).Where(k => list.Any(v => v.Any(x => x.Item1 == k))))
            errors.Add(section.Origin.Error(SectionKey, $"{key} is swept by both list and grid; give its values in one place"));
        var spec = new SweepSpec(list, grid);
        if (errors.Count == before && spec.Count > MaxRuns)
            errors.Add(section.Origin.Error(SectionKey, $"more than {MaxRuns} runs; a sweep has at most {MaxRuns}"));
        return errors.Count == before ? spec : null;
    }

    /// <summary><c>--grid training.lr=[3e-4,1e-3]</c>: a key and a YAML list of values (a single value is a list of one).</summary>
    /// <param name="index">1-based position among the <c>--grid</c> arguments, for errors.</param>
    internal static SweepAxis? ReadArgument(string text, int index, List<ConfigError> errors)
    {
        var origin = new Origin(GridOption, index, 0, Environment.CurrentDirectory);
        int eq = text.IndexOf('=');
        string key = eq < 0 ? text.Trim() : text[..eq].Trim();
        if (eq < 0)
        {
            errors.Add(origin.Error(key, $"expected key=[values], got '{text}' (--grid training.lr=[0.001,0.003])"));
            return null;
        }
        if (!CheckKey(key, origin, key, errors)) return null;
        if (YamlComposer.ParseValue(text[(eq + 1)..], origin, key, eq + 2, errors) is not { } node) return null;
        var items = node is SequenceNode list ? list.Items : [node];
        if (items.Count == 0)
        {
            errors.Add(origin.Error(key, "an empty list gives no runs"));
            return null;
        }
        return new SweepAxis(key, items.Select(i => new SweepValue(Flow(i), GridOption, index, 0)).ToList());
    }

    /// <summary>A dotted key path that may be swept. The name and kind may not: a sweep's runs are one experiment's.</summary>
    private static bool CheckKey(string key, Origin origin, string path, List<ConfigError> errors)
    {
        string? problem = key.Split('.').Any(k => k.Trim().Length == 0) ? "expected a dotted config key such as training.lr"
            : key is "name" or "kind" ? $"a sweep's runs share the experiment's {key}: they are runs of one experiment, compared with each other"
            : key.Split('.')[0] is YamlComposer.ExtendsKey or ExperimentLoader.CiKey or SectionKey ? $"{key.Split('.')[0]} is not a config key a run can set"
            : null;
        if (problem is not null) errors.Add(origin.Error(path, problem));
        return problem is null;
    }

    /// <summary>A value written in the experiment file. A relative path in it names a file beside the experiment file,
    /// while <c>--set</c> reads paths from the working directory: a value that names an existing file or folder that
    /// way is rewritten relative to the working directory, so the run reads the file the experiment file meant.</summary>
    private static SweepValue FromFile(ConfigNode node)
    {
        string text = Flow(node);
        if (node is ScalarNode { IsNull: false } s && s.Value.Length > 0 && !Path.IsPathRooted(s.Value)
            && !double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && Path.GetFullPath(s.Origin.BaseDir) != Path.GetFullPath(Environment.CurrentDirectory)
            && Path.Combine(s.Origin.BaseDir, s.Value) is var full && (File.Exists(full) || Directory.Exists(full)))
            text = Flow(new ScalarNode(YamlComposer.DisplayPath(Path.GetFullPath(full)), YamlDotNet.Core.ScalarStyle.Plain, s.Origin));
        return new SweepValue(text, node.Origin.File, node.Origin.Line, node.Origin.Column);
    }

    /// <summary>A node as one line of YAML flow text that reads back as the same node: plain scalars as written where
    /// that is safe, others double-quoted (JSON escapes are YAML escapes), lists as <c>[a, b]</c>, mappings as <c>{k: v}</c>.</summary>
    internal static string Flow(ConfigNode node) => node switch
    {
        ScalarNode { IsNull: true } => "null",
        ScalarNode { IsPlain: true } s when IsSafePlain(s.Value) => s.Value,
        ScalarNode s => JsonSerializer.Serialize(s.Value, QuoteOptions),
        SequenceNode q => "[" + string.Join(", ", q.Items.Select(Flow)) + "]",
        MappingNode m => "{" + string.Join(", ", m.Entries.Select(e => $"{Flow(e.Key)}: {Flow(e.Value)}")) + "}",
        _ => throw new ArgumentException($"no YAML text for {node.GetType().Name}", nameof(node)),
    };

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Text that YAML reads back as this plain scalar inside a flow collection or as a whole value: no flow
    /// indicators, no comment or mapping marks, no leading indicator, no surrounding spaces.</summary>
    private static bool IsSafePlain(string value) =>
        value.Length > 0 && value.Trim() == value && !"-?:,[]{}#&*!|>'\"%@`".Contains(value[0])
        && value.IndexOfAny([',', '[', ']', '{', '}']) < 0 && !value.Contains(": ", StringComparison.Ordinal)
        && !value.Contains(" #", StringComparison.Ordinal) && !value.EndsWith(':') && !value.Any(char.IsControl)
        || value.Length > 1 && value[0] == '-' && char.IsAsciiDigit(value[1]) && IsSafePlain(value[1..]);

    private static int IndexOf(IReadOnlyList<string> keys, string key)
    {
        for (int i = 0; i < keys.Count; i++) if (keys[i] == key) return i;
        return keys.Count;
    }
}
