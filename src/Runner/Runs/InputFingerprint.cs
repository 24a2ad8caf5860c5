using System.Reflection;
using System.Security.Cryptography;
using GenLab.Models.Configuration;
using GenLab.Runner.Training;
using GenLab.Runner.Config;

namespace GenLab.Runner.Runs;

/// <summary>Content hashes of everything a run's result depends on: the resolved config, every data file it names
/// (<see cref="FilePathAttribute"/> properties) and the code (<see cref="ModelCodeHash"/>).
/// <c>reproduce</c> reruns an experiment only when one of these differs from its last completed run.</summary>
public static class InputFingerprint
{
    public const string ConfigKey = "config";
    public const string CodeKey = "code";
    public const string DataPrefix = "data:";
    public const string InitKey = "init_from";

    /// <summary>The weights a run starts from are an input too: the SHA-256 of the checkpoint's manifest (which holds
    /// every file's hash) or of the .safetensors file, so retraining the base marks its fine-tunes stale.</summary>
    private static string InitHash(string reference, string resultsRoot)
    {
        string directory = Directory.GetCurrentDirectory();
        if (reference.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            string file = Path.GetFullPath(Path.Combine(directory, reference));
            return File.Exists(file) ? FileSha256(file) : "missing";
        }
        try { return FileSha256(InitFrom.Resolve(reference, resultsRoot, directory).File(CheckpointStore.ManifestFile)); }
        catch (InvalidDataException) { return "missing"; }
    }

    /// <remarks>Data files are named relative to the experiment file's folder, so the same experiment gets the same
    /// keys whichever directory <c>run</c> or <c>reproduce</c> is started from. A file named by URL and SHA-256 is
    /// keyed by its file name, with the SHA-256 it is named by: every copy a run may use has that hash (the runner
    /// verifies it), wherever it was found, and <c>reproduce</c> can judge it before it is fetched.</remarks>
    public static IReadOnlyDictionary<string, string> Compute(LoadedExperiment experiment, string resultsRoot = "results")
    {
        string experimentDirectory = Path.GetDirectoryName(Path.GetFullPath(experiment.SourceFiles[0]))!;
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigKey] = Sha256(System.Text.Encoding.UTF8.GetBytes(experiment.ResolvedYaml)),
            [CodeKey] = ModelCodeHash,
        };
        var named = experiment.NamedData.Select(n => Path.GetFullPath(n.Path)).ToHashSet(StringComparer.Ordinal);
        foreach (string file in DataFiles(experiment.Config).Where(f => !named.Contains(f)))
            hashes[DataPrefix + Path.GetRelativePath(experimentDirectory, file).Replace('\\', '/')] = FileSha256(file);
        foreach (var data in experiment.NamedData)
            hashes[DataPrefix + data.Source.File] = data.Source.Sha256;
        if (experiment.Config.Model is IStartsFromRun { InitFrom: { } reference })
            hashes[InitKey] = InitHash(reference, resultsRoot);
        return hashes;
    }

    /// <summary>The reproduction key of the code: a SHA-256 of the sources a run's numbers depend on (GenLab.Models,
    /// the runner's training loop and experiments, the package pins), computed at build time by build/CodeKey.targets.
    /// The same source gives the same key in any folder and any configuration.</summary>
    public static string ModelCodeHash { get; } = typeof(InputFingerprint).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "GenLab.CodeKey")?.Value
        ?? throw new InvalidOperationException("genlab.dll carries no GenLab.CodeKey; it is built with build/CodeKey.targets");

    /// <summary>What changed between the inputs a run recorded and the ones it would resume with: its experiment.yaml,
    /// hashed as the file is (it was written as the resolved YAML whose hash was recorded), and its data files, matched
    /// by file name because the recorded keys are relative to the experiment file the run was started from. Empty when
    /// nothing did.</summary>
    public static IReadOnlyList<string> ResumeChanges(IReadOnlyDictionary<string, string> recorded, string experimentYaml,
        IReadOnlyDictionary<string, string> current)
    {
        var changes = new List<string>();
        if (!recorded.TryGetValue(ConfigKey, out string? config) || config != FileSha256(experimentYaml))
            changes.Add($"{Path.GetFileName(experimentYaml)} changed");
        var before = DataByFileName(recorded);
        var now = DataByFileName(current);
        foreach (var (name, hashes) in now)
        {
            if (!before.TryGetValue(name, out var old)) changes.Add($"new data file {name}");
            else if (!old.SequenceEqual(hashes)) changes.Add($"data file {name} changed");
        }
        changes.AddRange(before.Keys.Where(k => !now.ContainsKey(k)).Select(k => $"data file {k} no longer used"));
        return changes;
    }

    /// <summary>The hashes to record when a run resumes with changed inputs (<c>--allow-changed</c>): the edited
    /// experiment.yaml's, the current data's under the keys the run recorded, the current code's.</summary>
    public static IReadOnlyDictionary<string, string> Resumed(IReadOnlyDictionary<string, string> recorded, string experimentYaml,
        IReadOnlyDictionary<string, string> current)
    {
        var keyOf = recorded.Keys.Where(k => k.StartsWith(DataPrefix, StringComparison.Ordinal))
            .GroupBy(FileNameOf).ToDictionary(g => g.Key, g => g.Count() == 1 ? g.Single() : null);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, hash) in current)
            hashes[key.StartsWith(DataPrefix, StringComparison.Ordinal) && keyOf.GetValueOrDefault(FileNameOf(key)) is { } same ? same : key] = hash;
        hashes[ConfigKey] = FileSha256(experimentYaml);
        return hashes;
    }

    private static string FileNameOf(string dataKey)
    {
        string path = dataKey[DataPrefix.Length..];
        return path[(path.LastIndexOf('/') + 1)..];
    }

    private static Dictionary<string, List<string>> DataByFileName(IReadOnlyDictionary<string, string> hashes) =>
        hashes.Where(kv => kv.Key.StartsWith(DataPrefix, StringComparison.Ordinal))
            .GroupBy(kv => FileNameOf(kv.Key))
            .ToDictionary(g => g.Key, g => g.Select(kv => kv.Value).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

    /// <summary>Every existing file named by a [FilePath] property anywhere in the config.</summary>
    public static IEnumerable<string> DataFiles(object config)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var files = new SortedSet<string>(StringComparer.Ordinal);
        Walk(config, seen, files);
        return files;
    }

    private static void Walk(object? node, HashSet<object> seen, SortedSet<string> files)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !seen.Add(node)) return;
        if (node is System.Collections.IEnumerable items)
        {
            foreach (object? item in items) Walk(item, seen, files);
            return;
        }
        foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            object? value = property.GetValue(node);
            if (property.GetCustomAttribute<FilePathAttribute>() is not null && value is string path && File.Exists(path))
                files.Add(Path.GetFullPath(path));
            else
                Walk(value, seen, files);
        }
    }

    private static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
