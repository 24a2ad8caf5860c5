using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenLab.Reports.RunFolder;

public enum RunStatus { Running, Completed, Failed, Interrupted }

/// <summary>The contents of <c>run.json</c>: everything needed to know what a run was and how it ended.</summary>
public sealed record RunInfo
{
    public int FormatVersion { get; init; } = 1;
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string RunId { get; init; }
    public RunStatus Status { get; init; }
    public DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset? EndedUtc { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    /// <summary>Directory the run was started from; relative data paths in experiment.yaml resolve against it.</summary>
    public string WorkingDirectory { get; init; } = "";
    public long Seed { get; init; }
    public string DeviceRequested { get; init; } = "auto";
    public string Device { get; init; } = "cpu";
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public BestMetric? Best { get; init; }
    public IReadOnlyList<string> ResumedFrom { get; init; } = [];
    public GitInfo? Git { get; init; }
    public required EnvironmentInfo Environment { get; init; }
    /// <summary>Content hashes of the run's inputs (config, data files, model code); Reproduce compares them.</summary>
    public IReadOnlyDictionary<string, string> InputHashes { get; init; } = new Dictionary<string, string>();
    /// <summary>Set when the run was resumed with changed inputs (<c>resume --allow-changed</c>): at which step, and what
    /// changed. Its numbers then come from two configs or data sets, and Reproduce does not count it as a reproduction.
    /// Null for a run that never was.</summary>
    public IReadOnlyList<string>? ChangedInputs { get; init; }
    /// <summary>The data folders searched for files the experiment names by URL (<c>--data-dir</c>, then GENLAB_DATA):
    /// a resume searches them too. Null when it names none, and in older runs.</summary>
    public IReadOnlyList<string>? DataDirectories { get; init; }
    public int? ProcessId { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new NonFiniteAsNull(), new NonFiniteSingleAsNull() },
    };

    public static RunInfo Read(string runDir)
    {
        string path = Path.Combine(runDir, RunFiles.RunInfo);
        return JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path}: empty run.json");
    }

    /// <summary>Writes run.json atomically (temp file + rename), so a crash never leaves half a file.</summary>
    public void Write(string runDir)
    {
        string path = Path.Combine(runDir, RunFiles.RunInfo);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}

public sealed record BestMetric(string Split, string Metric, double Value, long Step);

public sealed record GitInfo(string Commit, bool Dirty);

public sealed record EnvironmentInfo
{
    public string Os { get; init; } = "";
    public string CpuModel { get; init; } = "";
    public int Cores { get; init; }
    /// <summary>libtorch's intra-op CPU threads during the run (GENLAB_THREADS, else one per core).</summary>
    public int TorchThreads { get; init; }
    public string? Gpu { get; init; }
    public string DotNet { get; init; } = "";
    public string TorchSharp { get; init; } = "";
    public string LibTorch { get; init; } = "";
    public string TorchBackend { get; init; } = "";
    /// <summary>Whether MKL ran its AVX2/AVX-512 kernels on an AMD processor (GENLAB_MKL_ON_AMD); null in older runs.</summary>
    public string? MklOnAmd { get; init; }
    /// <summary>What new tensor memory held (GENLAB_TENSOR_FILL: zeroed for models with convolutions); null in older runs.</summary>
    public string? TensorFill { get; init; }
    public string GenLab { get; init; } = "";
}
