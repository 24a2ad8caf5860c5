using System.Security.Cryptography;
using System.Text;
using GenLab.Runner.Data;
using GenLab.Runner.Sweeps;
using YamlDotNet.Core;

namespace GenLab.Runner.Config;

/// <summary>Loads an experiment: the YAML file and what it <c>extends</c>, then <c>--set</c> overrides, then strict
/// binding and validation. A <c>sweep:</c> section is checked for shape and set aside (<see cref="LoadedExperiment.Sweep"/>):
/// <c>genlab run</c> runs the file as written, <c>genlab sweep</c> its runs. Every problem is reported with its file, line and key in one <see cref="ConfigException"/>.</summary>
public static class ExperimentLoader
{
    public const string SetSource = "--set";
    /// <summary>The key of the reduced variant an experiment declares for CI (<c>genlab verify --ci</c>): a partial
    /// experiment deep-merged over the file, e.g. fewer steps; dropped from every other load.</summary>
    public const string CiKey = "ci";

    /// <param name="path">The experiment YAML file.</param>
    /// <param name="overrides"><c>key.path=value</c> strings; the value is YAML, so <c>training.steps=[1,2]</c>
    /// and <c>data.path=x.txt</c> both work.</param>
    /// <param name="pathBase">Directory that relative file paths in <paramref name="path"/> resolve against;
    /// by default the file's own folder.</param>
    /// <param name="ci">Load the reduced variant the file's <c>ci:</c> section declares.</param>
    /// <param name="data">Where files named by URL and SHA-256 are looked for (<c>--data-dir</c>, <c>GENLAB_DATA</c>,
    /// the cache); the environment's search by default. Loading only locates them: nothing is read or fetched.</param>
    /// <exception cref="ConfigException">The config is invalid.</exception>
    public static LoadedExperiment Load(string path, IReadOnlyList<string> overrides, string? pathBase = null, bool ci = false,
        DataSearch? data = null)
    {
        var errors = new List<ConfigError>();
        var composer = new YamlComposer(errors);
        var root = composer.Compose(path, pathBase);
        // Binding a half-read tree would bury the real problem under missing-key errors.
        if (root is null || errors.Count > 0) throw new ConfigException(errors);

        var variant = root.Get(CiKey);
        bool hasVariant = variant is not null;
        if (variant is not null and not MappingNode)
            errors.Add(variant.Origin.Error(CiKey, "expected a mapping: the keys the CI variant changes (e.g. training: { steps: 500 })"));
        root.Remove(CiKey);
        if (ci)
        {
            if (variant is MappingNode changes) root = (MappingNode)YamlComposer.Merge(root, changes);
            else if (variant is null) errors.Add(root.Origin.Error(CiKey, "this experiment declares no CI variant (a `ci:` section)"));
        }
        // After the CI variant is merged, so a variant may sweep less; dropped before binding like ci:.
        var sweepSection = root.Get(SweepSpec.SectionKey);
        root.Remove(SweepSpec.SectionKey);
        var sweep = sweepSection is null ? null : SweepSpec.Read(sweepSection, errors);
        if (errors.Count > 0) throw new ConfigException(errors);

        for (var i = 0; i < overrides.Count; i++) ApplyOverride(root, overrides[i], i + 1, errors);

        var binder = new ConfigBinder(errors, data);
        var config = binder.BindExperiment(root);
        if (config is null || errors.Count > 0) throw new ConfigException(errors);

        // Data named by URL is written as named, not as the path it was found at: the resolved YAML (and the config
        // hash) stay the same on every machine, and a resumed run searches for the file again.
        var resolved = ConfigYamlWriter.Write(config, binder.Located);
        return new LoadedExperiment(config, resolved, Hash(resolved), composer.SourceFiles.ToList(), hasVariant, binder.Located) { Sweep = sweep };
    }

    /// <summary>First 8 hex digits of the SHA-256 of the resolved YAML: enough to tell runs apart at a glance.</summary>
    public static string Hash(string resolvedYaml) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(resolvedYaml)))[..8];

    private static void ApplyOverride(MappingNode root, string text, int index, List<ConfigError> errors)
    {
        var origin = new Origin(SetSource, index, 0, Environment.CurrentDirectory);
        var eq = text.IndexOf('=');
        var keyPath = eq < 0 ? text.Trim() : text[..eq].Trim();
        if (eq < 0)
        {
            errors.Add(origin.Error(keyPath, $"expected key=value, got '{text}'"));
            return;
        }
        var keys = keyPath.Split('.').Select(k => k.Trim()).ToArray();
        if (keys.Any(k => k.Length == 0))
        {
            errors.Add(origin.Error(keyPath, $"expected a dotted key such as training.lr before '=', got '{text}'"));
            return;
        }
        if (YamlComposer.ParseValue(text[(eq + 1)..], origin, keyPath, eq + 2, errors) is not { } value) return;

        var map = root;
        foreach (var key in keys[..^1])
        {
            if (map.Get(key) is not MappingNode child)
            {
                // A scalar in the way is replaced, as a later file's value would replace it.
                child = new MappingNode(origin);
                map.Set(Key(key, origin), child);
            }
            map = child;
        }
        var last = keys[^1];
        var existing = map.Get(last);
        map.Set(Key(last, origin), existing is null ? value : YamlComposer.Merge(existing, value));
    }

    private static ScalarNode Key(string key, Origin origin) => new(key, ScalarStyle.Plain, origin);
}
