using System.Text.Json;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Sweeps;

public enum SweepExecutorKind { Local, Slurm }

/// <summary>How a sweep's runs were started, as given on the command line.</summary>
/// <param name="Parallel">Local: runs at once. Slurm: the array's throttle (<c>--array=0-9%N</c>), null for none.</param>
public sealed record SweepExecutor(SweepExecutorKind Kind, int? Parallel = null, string? Partition = null, string? Time = null,
    int? CpusPerTask = null, string? Gres = null);

/// <summary>One <c>sbatch --array</c> of a sweep: the first, or a resubmission of the runs that were not completed.</summary>
public sealed record SlurmSubmission(string JobId, IReadOnlyList<int> Indices, string Script, DateTimeOffset SubmittedUtc);

/// <summary>One run of a sweep.</summary>
/// <param name="Index">Its position in the sweep, and its Slurm array task id.</param>
/// <param name="Values">Each swept key's value (the manifest's <see cref="SweepManifest.Keys"/> order; null: the file's).</param>
/// <param name="Overrides">What the run adds to the sweep's <c>--set</c>: <c>key=value</c> per swept key it sets.</param>
/// <param name="ConfigHash">The resolved config's hash: the suffix of its run folder's name.</param>
public sealed record SweepEntry(int Index, IReadOnlyList<string?> Values, IReadOnlyList<string> Overrides, string ConfigHash)
{
    /// <summary>Its run folder's name (in the experiment's folder, beside <c>sweeps/</c>) once it has one.</summary>
    public string? Run { get; init; }
    /// <summary>A completed run with the same inputs (config, data, code) existed when the sweep started: not run again.</summary>
    public bool Reused { get; init; }
    /// <summary>When it was last handed to an executor (started locally or submitted to Slurm).</summary>
    public DateTimeOffset? StartedUtc { get; init; }
    /// <summary>Its Slurm array task of the last submission, <c>&lt;job&gt;_&lt;index&gt;</c>.</summary>
    public string? SlurmTask { get; init; }
    /// <summary>Its state when genlab last looked (see <see cref="SweepState"/>).</summary>
    public string Status { get; init; } = "not started";
}

/// <summary><c>sweep.json</c>: what a sweep is (the experiment, the swept keys, each run's values and command) and
/// where its runs are. Runs are named by folder name, relative to the experiment's folder, so a results folder copied
/// back from a cluster keeps its sweeps.</summary>
public sealed record SweepManifest
{
    public const string FileName = "sweep.json";
    public const string Folder = "sweeps";

    public int FormatVersion { get; init; } = 1;
    public required string Name { get; init; }
    public required string SweepId { get; init; }
    /// <summary>The experiment file as it was typed (relative to <see cref="WorkingDirectory"/>).</summary>
    public required string Experiment { get; init; }
    /// <summary>Where the runs are started: relative paths in the commands are relative to it.</summary>
    public required string WorkingDirectory { get; init; }
    /// <summary><c>--results</c> as it was typed.</summary>
    public required string Results { get; init; }
    /// <summary>The <c>--set</c> every run shares.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];
    public bool Ci { get; init; }
    public IReadOnlyList<string> DataDirectories { get; init; } = [];
    public required IReadOnlyList<string> Keys { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public required SweepExecutor Executor { get; init; }
    public IReadOnlyList<SlurmSubmission> Submissions { get; init; } = [];
    public required IReadOnlyList<SweepEntry> Runs { get; init; }

    /// <summary>The arguments of <c>genlab run</c> for an entry: the command a user would type.</summary>
    public IReadOnlyList<string> RunArguments(SweepEntry entry) =>
    [
        "run", Experiment, .. Set.Concat(entry.Overrides).SelectMany(o => new[] { "--set", o }), .. Ci ? new[] { "--ci" } : [],
        "--results", Results, .. DataDirectories.SelectMany(d => new[] { "--data-dir", d }),
    ];

    /// <summary>"training.lr=0.003 seed=2": the entry's swept values.</summary>
    public string Label(SweepEntry entry) =>
        string.Join(" ", Keys.Select((k, i) => entry.Values[i] is { } v ? $"{k}={v}" : null).Where(s => s is not null));

    public static readonly JsonSerializerOptions Json = new(RunInfo.Json) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="InvalidDataException">Not a sweep folder, or its sweep.json cannot be read.</exception>
    public static SweepManifest Read(string sweepDir)
    {
        string path = Path.Combine(sweepDir, FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{sweepDir}: not a sweep folder (no {FileName})");
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty {FileName}");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a sweep manifest ({e.Message})", e); }
    }

    /// <summary>Writes sweep.json atomically (temp file + rename): <c>sweep status</c> may read it meanwhile.</summary>
    public void Write(string sweepDir)
    {
        string path = Path.Combine(sweepDir, FileName);
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    public SweepManifest With(SweepEntry entry) => this with { Runs = Runs.Select(r => r.Index == entry.Index ? entry : r).ToList() };
}
