using System.Globalization;
using System.Runtime.InteropServices;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Runs;

/// <summary>A run's folder: <c>results/&lt;name&gt;/&lt;UTC timestamp&gt;-&lt;config hash&gt;/</c>. Created exclusively, so two
/// runs started in the same second get two folders, and nothing is ever written into another run's folder.</summary>
public sealed class RunFolder
{
    public const string LatestLink = "latest";

    private RunFolder(string path) => Path = path;

    public string Path { get; }
    public string RunId => System.IO.Path.GetFileName(Path);
    public string ExperimentYaml => File(RunFiles.Experiment);
    public string Metrics => File(RunFiles.Metrics);
    public string Samples => File(RunFiles.Samples);
    public string Log => File(RunFiles.Log);
    public string Checkpoints => File(RunFiles.Checkpoints);
    public string Report => File(RunFiles.Report);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public static RunFolder Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path.TrimEnd('/', '\\'));
        if (System.IO.Path.GetFileName(full) == LatestLink && ResolveLatest(System.IO.Path.GetDirectoryName(full)!) is { } latest)
            full = latest;
        else if (new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            full = target.FullName;
        if (!System.IO.File.Exists(System.IO.Path.Combine(full, RunFiles.RunInfo)))
            throw new DirectoryNotFoundException($"{path}: not a run folder (no {RunFiles.RunInfo})");
        return new RunFolder(full);
    }

    /// <summary>Claims a new folder for a run. Exclusivity comes from creating the claim file with
    /// <see cref="FileMode.CreateNew"/> (O_CREAT|O_EXCL): of two processes racing for one name, exactly one wins and
    /// the other takes the next suffix.</summary>
    public static RunFolder Create(string resultsRoot, string experimentName, string configHash, DateTimeOffset startedUtc)
    {
        string experimentDir = System.IO.Path.GetFullPath(System.IO.Path.Combine(resultsRoot, experimentName));
        string root = System.IO.Path.GetFullPath(resultsRoot);
        if (!experimentDir.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"experiment name '{experimentName}' would escape {resultsRoot}");
        Directory.CreateDirectory(experimentDir);

        string stem = startedUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + configHash;
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            string candidate = System.IO.Path.Combine(experimentDir, attempt == 0 ? stem : $"{stem}-{attempt}");
            Directory.CreateDirectory(candidate);
            try
            {
                using (new FileStream(System.IO.Path.Combine(candidate, RunFiles.RunInfo), FileMode.CreateNew, FileAccess.Write)) { }
            }
            catch (IOException) when (System.IO.File.Exists(System.IO.Path.Combine(candidate, RunFiles.RunInfo)))
            {
                continue;
            }
            var folder = new RunFolder(candidate);
            Directory.CreateDirectory(folder.Checkpoints);
            Directory.CreateDirectory(folder.Report);
            folder.PointLatestHere();
            return folder;
        }
        throw new IOException($"could not claim a run folder under {experimentDir}");
    }

    /// <summary>Points <c>results/&lt;name&gt;/latest</c> at this run: a relative symlink swapped in by rename, so readers
    /// never see it missing. Where symlinks are unavailable (Windows without privilege) a text file holds the id.</summary>
    public void PointLatestHere() => PointLatest(Path);

    /// <summary>Points the <c>latest</c> beside <paramref name="folder"/> at it (a run, or a sweep in <c>sweeps/</c>).</summary>
    public static void PointLatest(string folder)
    {
        string parent = System.IO.Path.GetDirectoryName(folder)!;
        string id = System.IO.Path.GetFileName(folder);
        string link = System.IO.Path.Combine(parent, LatestLink);
        string temp = System.IO.Path.Combine(parent, $".{LatestLink}-{Guid.NewGuid():N}");
        try
        {
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
            System.IO.File.CreateSymbolicLink(temp, id);
            // rename(2) swaps the link atomically; File.Move would follow the link to its directory and refuse.
            if (Rename(temp, link) != 0) throw new IOException($"rename failed with errno {Marshal.GetLastPInvokeError()}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            System.IO.File.Delete(temp);
            if (System.IO.Directory.Exists(link) || new FileInfo(link).LinkTarget is not null) System.IO.File.Delete(link);
            System.IO.File.WriteAllText(link, id);
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    /// <summary>Resolves <c>results/&lt;name&gt;/latest</c> (symlink or text file) to the run folder it names. The
    /// pointer is only ever written as a run id, so it must name a plain folder beside it: a pointer to a path
    /// (<c>../../elsewhere</c>, <c>/etc</c>) or to a link is refused, and nothing outside the results folder is reached.</summary>
    /// <returns>Null when there is no pointer.</returns>
    /// <exception cref="InvalidDataException">The pointer names anything but a run folder beside it.</exception>
    public static string? ResolveLatest(string experimentDir)
    {
        string link = System.IO.Path.Combine(experimentDir, LatestLink);
        var info = new FileInfo(link);
        string runId;
        if (info.LinkTarget is { } target) runId = target;
        else if (info.Exists)
        {
            // A run id is a few dozen characters; reading at most 256 keeps a huge file from being read whole.
            using var reader = new StreamReader(link);
            var buffer = new char[256];
            runId = new string(buffer, 0, reader.ReadBlock(buffer)).Trim();
        }
        else return null;

        string run = System.IO.Path.Combine(experimentDir, runId);
        if (!IsPlainName(runId) || new DirectoryInfo(run) is { Exists: false } or { LinkTarget: not null })
            throw new InvalidDataException(
                $"{link} points at '{runId}': a latest pointer must name a run folder beside it (results/<name>/<run>), not a path or a link");
        return System.IO.Path.GetFullPath(run);
    }

    /// <summary>A single folder name: no separators, not <c>.</c> or <c>..</c>, no control characters.</summary>
    public static bool IsPlainName(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.IndexOfAny(['/', '\\', ':']) < 0 && !name.Any(char.IsControl);
}
