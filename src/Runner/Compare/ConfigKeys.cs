using GenLab.Reports.Compare;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;

namespace GenLab.Runner.Compare;

/// <summary>A run's resolved <c>experiment.yaml</c> as flat keys (<c>training.steps</c> → <c>1500</c>), read under the
/// same limits as an experiment file, and the keys in which runs differ.</summary>
public static class ConfigKeys
{
    /// <summary>Keys in file order. A list of plain values is one value (<c>[16, 32]</c>); a list of mappings gives
    /// <c>key[0].sub</c>. A missing or unreadable file (or one deleted while read) gives no keys; the comparison says so.</summary>
    public static IReadOnlyList<(string Key, string Value)> Read(string runDir)
    {
        string path = Path.Combine(runDir, RunFiles.Experiment);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > YamlComposer.MaxFileBytes) return [];
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }   // deleted while read
        var read = YamlTree.Read(text, path, runDir, null, []);
        if (read.Failure is not null || read.Root is null) return [];
        var keys = new List<(string, string)>();
        Flatten(read.Root, "", keys);
        return keys;
    }

    private static void Flatten(ConfigNode node, string prefix, List<(string, string)> keys)
    {
        switch (node)
        {
            case ScalarNode s:
                keys.Add((prefix, s.IsNull ? "null" : s.Value));
                break;
            case MappingNode m:
                if (m.Entries.Count == 0) keys.Add((prefix, "{}"));
                foreach (var (key, value) in m.Entries) Flatten(value, prefix.Length == 0 ? key.Value : $"{prefix}.{key.Value}", keys);
                break;
            case SequenceNode q when q.Items.All(i => i is ScalarNode):
                keys.Add((prefix, "[" + string.Join(", ", q.Items.Cast<ScalarNode>().Select(i => i.IsNull ? "null" : i.Value)) + "]"));
                break;
            case SequenceNode q:
                for (int i = 0; i < q.Items.Count; i++) Flatten(q.Items[i], $"{prefix}[{i}]", keys);
                break;
        }
    }

    /// <summary>The keys whose values are not the same in every run, in the first run's order (then the others'); a run
    /// with no keys (unreadable experiment.yaml) is left out of the judgement. With
    /// <paramref name="sharedOnly"/> (runs of different kinds) a key some run lacks is left out: only what they share is
    /// compared.</summary>
    public static ConfigComparison Compare(IReadOnlyList<IReadOnlyList<(string Key, string Value)>> runs, bool sharedOnly = false)
    {
        var maps = runs.Select(r => r.GroupBy(k => k.Key).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal)).ToList();
        var order = runs.SelectMany(r => r.Select(k => k.Key)).Distinct(StringComparer.Ordinal).ToList();
        // A section one run has as a plain value and another as keys (`--set expect=null` against the file's `expect:`
        // table) is one difference, not one per key: the keys below it are folded into "{n keys}".
        var folded = order.Where(key => maps.Any(m => m.ContainsKey(key)) && maps.Any(m => m.Keys.Any(k => IsBelow(k, key)))).ToList();
        foreach (string key in folded)
            foreach (var map in maps.Where(m => !m.ContainsKey(key) && m.Keys.Any(k => IsBelow(k, key))))
                map[key] = $"{{{map.Keys.Count(k => IsBelow(k, key))} keys}}";
        order = order.Where(key => !folded.Any(f => IsBelow(key, f))).ToList();
        var differences = new List<ConfigDifference>();
        int same = 0;
        foreach (string key in order)
        {
            var values = maps.Select(m => m.TryGetValue(key, out string? v) ? v : null).ToList();
            // A run without keys (its experiment.yaml unreadable) says nothing either way.
            var known = values.Where((_, i) => maps[i].Count > 0).ToList();
            if (known.All(v => v is not null) && known.Distinct(StringComparer.Ordinal).Count() == 1) same++;
            else if (!sharedOnly || known.All(v => v is not null)) differences.Add(new ConfigDifference(key, values));
        }
        return new ConfigComparison(differences, same);
    }

    private static bool IsBelow(string key, string prefix) =>
        key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal) && key[prefix.Length] is '.' or '[';
}
