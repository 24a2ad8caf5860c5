using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Training;

/// <summary>What a checkpoint's <c>state.json</c> holds besides the tensors: enough to continue bit for bit.</summary>
public sealed record TrainingState
{
    public int FormatVersion { get; init; } = CheckpointStore.FormatVersion;
    public long Step { get; init; }
    /// <summary>State of the data-order generator (<see cref="GenLab.Models.Data.SplitMix64"/>).</summary>
    public ulong BatchRngState { get; init; }
    public double ElapsedSeconds { get; init; }
    /// <summary>Validation loss of the newest evaluation at or before this step; decides which checkpoint is "best".</summary>
    public double? ValLoss { get; init; }
    public BestMetric? Best { get; init; }
}

public sealed record CheckpointManifest(int FormatVersion, long Step, DateTimeOffset CreatedUtc,
    IReadOnlyDictionary<string, string> Sha256);

/// <summary>A verified checkpoint folder.</summary>
public sealed record Checkpoint(string Path, long Step, TrainingState State)
{
    public string File(string name) => System.IO.Path.Combine(Path, name);
}

/// <summary>Writes and finds checkpoints under <c>checkpoints/step-NNNNNN/</c>.
/// A checkpoint is written into a hidden temporary folder, every file is hashed into <c>manifest.json</c> (written
/// last), then the folder is renamed into place. A crash mid-write leaves only a <c>.tmp-*</c> folder, which is
/// ignored; a file changed or truncated afterwards no longer matches its hash and the checkpoint is skipped.</summary>
public sealed class CheckpointStore(string directory)
{
    public const int FormatVersion = 1;
    public const string ManifestFile = "manifest.json";
    public const string StateFile = "state.json";
    private const string Prefix = "step-";
    private const string TempPrefix = ".tmp-";
    // A manifest lists a handful of files; a larger one is not ours.
    private const int MaxManifestBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new NonFiniteAsNull(), new NonFiniteSingleAsNull() },
    };

    public string Directory { get; } = directory;

    public static string NameOf(long step) => Prefix + step.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The step of a checkpoint folder name (<c>step-000500</c> → 500); false for any other name.</summary>
    public static bool TryParseStep(string folderName, out long step)
    {
        step = -1;
        return folderName.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(folderName.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out step);
    }

    /// <summary>Writes a checkpoint. <paramref name="writeFiles"/> fills the temporary folder it is given.</summary>
    public Checkpoint Write(TrainingState state, Action<string> writeFiles)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string final = System.IO.Path.Combine(Directory, NameOf(state.Step));
        string temp = System.IO.Path.Combine(Directory, $"{TempPrefix}{NameOf(state.Step)}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            writeFiles(temp);
            System.IO.File.WriteAllText(System.IO.Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, Json));
            var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (string file in System.IO.Directory.EnumerateFiles(temp))
            {
                FlushToDisk(file);
                hashes[System.IO.Path.GetFileName(file)] = Sha256Of(file);
            }
            var manifest = new CheckpointManifest(FormatVersion, state.Step, DateTimeOffset.UtcNow, hashes);
            string manifestPath = System.IO.Path.Combine(temp, ManifestFile);
            System.IO.File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, Json));
            FlushToDisk(manifestPath);
            if (System.IO.Directory.Exists(final))
            {
                // Same step written again (e.g. an interrupt right after a periodic checkpoint): the older
                // folder is set aside rather than deleted, so a valid checkpoint always exists on disk.
                System.IO.Directory.Move(final, System.IO.Path.Combine(Directory, $"{TempPrefix}old-{NameOf(state.Step)}-{Guid.NewGuid():N}"));
            }
            System.IO.Directory.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return new Checkpoint(final, state.Step, state);
    }

    /// <summary>Every checkpoint folder, newest first, each checked; invalid ones come with the reason.</summary>
    public IReadOnlyList<(string Path, Checkpoint? Checkpoint, string? Problem)> Scan()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<(long Step, string Path)>();
        foreach (string dir in System.IO.Directory.EnumerateDirectories(Directory))
        {
            if (TryParseStep(System.IO.Path.GetFileName(dir), out long step)) found.Add((step, dir));
        }
        return found.OrderByDescending(f => f.Step)
            .Select(f => { var (checkpoint, problem) = Verify(f.Path, f.Step); return (f.Path, checkpoint, problem); })
            .ToList();
    }

    public Checkpoint? NewestValid(Action<string>? warn = null)
    {
        foreach (var (path, checkpoint, problem) in Scan())
        {
            if (checkpoint is not null) return checkpoint;
            warn?.Invoke($"skipping checkpoint {path}: {problem}");
        }
        return null;
    }

    /// <summary>A checkpoint is valid only when its manifest names exactly the plain files in its folder, each with
    /// its SHA-256: a file added, removed or swapped, a key that is a path (<c>../x</c>), a sub-folder or a link makes it
    /// invalid, so nothing is loaded that the manifest does not vouch for, and nothing outside the folder is read.</summary>
    public static (Checkpoint? Checkpoint, string? Problem) Verify(string path, long expectedStep)
    {
        if (new DirectoryInfo(path).LinkTarget is not null) return (null, "the folder is a symbolic link, not a checkpoint written here");
        string manifestPath = System.IO.Path.Combine(path, ManifestFile);
        if (!System.IO.File.Exists(manifestPath)) return (null, "no manifest.json (incomplete write)");
        if (new FileInfo(manifestPath) is { LinkTarget: not null } or { Length: > MaxManifestBytes })
            return (null, $"manifest.json is a symbolic link or over {MaxManifestBytes / 1024} KiB");
        CheckpointManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<CheckpointManifest>(System.IO.File.ReadAllText(manifestPath), Json); }
        catch (JsonException e) { return (null, $"manifest.json is not valid JSON ({e.Message})"); }
        if (manifest is null || manifest.Sha256 is null) return (null, "manifest.json is empty");
        if (manifest.FormatVersion != FormatVersion)
            return (null, $"format version {manifest.FormatVersion}, this GenLab reads {FormatVersion}");
        if (manifest.Step != expectedStep) return (null, $"manifest says step {manifest.Step}, folder says {expectedStep}");
        if (manifest.Sha256.Keys.FirstOrDefault(k => !IsPlainFileName(k)) is { } badKey)
            return (null, $"manifest.json lists '{badKey}', which is not a plain file name in the checkpoint folder");
        var present = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry.Name == ManifestFile) continue;
            if (entry is not FileInfo || entry.LinkTarget is not null)
                return (null, $"{entry.Name} is {(entry.LinkTarget is not null ? "a symbolic link" : "a folder")}; a checkpoint holds plain files only");
            present.Add(entry.Name);
        }
        if (present.FirstOrDefault(f => !manifest.Sha256.ContainsKey(f)) is { } extra)
            return (null, $"{extra} is in the folder but not in manifest.json (added or replaced after the checkpoint was written)");
        foreach (var (file, hash) in manifest.Sha256)
        {
            string filePath = System.IO.Path.Combine(path, file);
            if (!present.Contains(file)) return (null, $"{file} is missing");
            if (!string.Equals(Sha256Of(filePath), hash, StringComparison.Ordinal))
                return (null, $"{file} does not match its SHA-256 in the manifest (corrupt or modified)");
        }
        if (!manifest.Sha256.ContainsKey(StateFile)) return (null, "state.json is not listed in the manifest");
        TrainingState? state;
        try { state = JsonSerializer.Deserialize<TrainingState>(System.IO.File.ReadAllText(System.IO.Path.Combine(path, StateFile)), Json); }
        catch (JsonException e) { return (null, $"state.json is not valid ({e.Message})"); }
        if (state is null || state.Step != expectedStep) return (null, "state.json does not match the folder's step");
        return (new Checkpoint(path, expectedStep, state), null);
    }

    /// <summary>Deletes old checkpoints, keeping the newest <paramref name="keepLast"/>, the one with the lowest
    /// validation loss, every folder named in <paramref name="protectedPaths"/> (the ones runs resumed from), and
    /// anything this process cannot verify (it may be another process's, or evidence worth keeping).</summary>
    public void Prune(int keepLast, IEnumerable<string> protectedPaths)
    {
        var valid = Scan().Where(s => s.Checkpoint is not null).Select(s => s.Checkpoint!).ToList();
        var keep = new HashSet<string>(valid.Take(keepLast).Select(c => c.Path), StringComparer.Ordinal);
        var best = valid.Where(c => c.State.ValLoss is not null).MinBy(c => c.State.ValLoss);
        if (best is not null) keep.Add(best.Path);
        foreach (string p in protectedPaths) keep.Add(System.IO.Path.GetFullPath(p));
        foreach (var checkpoint in valid)
            if (!keep.Contains(System.IO.Path.GetFullPath(checkpoint.Path))) TryDelete(checkpoint.Path);
        // Folders set aside by a same-step rewrite are superseded once the new one verified.
        foreach (string dir in System.IO.Directory.EnumerateDirectories(Directory, TempPrefix + "old-*")) TryDelete(dir);
    }

    /// <summary>A name the store itself writes: no folder part, no <c>.</c> or <c>..</c>, no control characters.</summary>
    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name is not ("." or ".." or ManifestFile) && name.IndexOfAny(['/', '\\']) < 0
        && !name.Any(char.IsControl) && System.IO.Path.GetFileName(name) == name;

    public static string Sha256Of(string file)
    {
        using var stream = System.IO.File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    private static void TryDelete(string dir)
    {
        try { System.IO.Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
