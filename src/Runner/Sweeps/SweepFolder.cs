using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Sweeps;

/// <summary>A sweep's folder, <c>&lt;results&gt;/&lt;name&gt;/sweeps/&lt;UTC timestamp&gt;-&lt;hash&gt;/</c>, beside the runs of
/// its experiment:
/// <code>
/// sweep.json     the manifest (<see cref="SweepManifest"/>): keys, runs, their values, commands, run folders, states
/// logs/          each run's console output (local: &lt;index&gt;.log; Slurm: &lt;job&gt;_&lt;index&gt;.out)
/// slurm/         the batch scripts submitted (submit-1.sh, …) and bin/genlab, the genlab they run
/// report/        the comparison of its runs: index.html, README.md and the PNGs
/// </code></summary>
public sealed class SweepFolder
{
    public const string LogsFolder = "logs";
    public const string SlurmFolder = "slurm";
    public const string ReportFolder = "report";

    private SweepFolder(string path, SweepManifest manifest) => (Path, Manifest) = (path, manifest);

    public string Path { get; }
    public SweepManifest Manifest { get; private set; }
    public string Id => System.IO.Path.GetFileName(Path);
    /// <summary><c>&lt;results&gt;/&lt;name&gt;</c>: where its runs are.</summary>
    public string ExperimentDirectory => System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(Path)!)!;
    /// <summary>The results folder the runs were written to, as a full path.</summary>
    public string ResultsRoot => System.IO.Path.GetDirectoryName(ExperimentDirectory)!;
    public string Logs => System.IO.Path.Combine(Path, LogsFolder);
    public string Slurm => System.IO.Path.Combine(Path, SlurmFolder);
    public string Report => System.IO.Path.Combine(Path, ReportFolder);

    /// <summary>The entry's run folder, once it has one.</summary>
    public string? RunDirectory(SweepEntry entry) => entry.Run is null ? null : System.IO.Path.Combine(ExperimentDirectory, entry.Run);

    public void Save(SweepManifest manifest)
    {
        manifest.Write(Path);
        Manifest = manifest;
    }

    public void Update(SweepEntry entry) => Save(Manifest.With(entry));

    /// <summary>Opens a sweep folder, or <c>&lt;results&gt;/&lt;name&gt;/sweeps/latest</c>.</summary>
    /// <exception cref="InvalidDataException">Not a sweep folder, or its sweep.json cannot be read.</exception>
    public static SweepFolder Open(string dir)
    {
        string full = System.IO.Path.GetFullPath(dir.TrimEnd('/', '\\'));
        if (System.IO.Path.GetFileName(full) == RunFolder.LatestLink && RunFolder.ResolveLatest(System.IO.Path.GetDirectoryName(full)!) is { } latest)
            full = latest;
        if (!File.Exists(System.IO.Path.Combine(full, SweepManifest.FileName)))
            throw new InvalidDataException($"{dir}: not a sweep folder (no {SweepManifest.FileName}; sweeps are in <results>/<name>/{SweepManifest.Folder}/)");
        return new SweepFolder(full, SweepManifest.Read(full));
    }

    /// <summary>Claims a new folder for <paramref name="manifest"/> (a suffix when two sweeps start in one second), writes
    /// its sweep.json and points <c>sweeps/latest</c> at it. Its name ends in a hash of the runs' configs: the same sweep
    /// started twice gets the same hash.</summary>
    public static SweepFolder Create(string resultsRoot, SweepManifest manifest)
    {
        string sweeps = System.IO.Path.GetFullPath(System.IO.Path.Combine(resultsRoot, manifest.Name, SweepManifest.Folder));
        Directory.CreateDirectory(sweeps);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", manifest.Runs.Select(r => r.ConfigHash)))))[..8];
        string stem = manifest.CreatedUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + hash;
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            string candidate = System.IO.Path.Combine(sweeps, attempt == 0 ? stem : $"{stem}-{attempt}");
            Directory.CreateDirectory(candidate);
            try
            {
                // O_CREAT|O_EXCL: of two processes racing for one name, one wins and the other takes the next suffix.
                using (new FileStream(System.IO.Path.Combine(candidate, SweepManifest.FileName), FileMode.CreateNew, FileAccess.Write)) { }
            }
            catch (IOException) when (File.Exists(System.IO.Path.Combine(candidate, SweepManifest.FileName))) { continue; }
            var folder = new SweepFolder(candidate, manifest with { SweepId = System.IO.Path.GetFileName(candidate) });
            folder.Save(folder.Manifest);
            Directory.CreateDirectory(folder.Logs);
            RunFolder.PointLatest(candidate);
            return folder;
        }
        throw new IOException($"could not claim a sweep folder under {sweeps}");
    }
}
