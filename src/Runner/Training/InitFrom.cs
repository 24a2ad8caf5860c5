using GenLab.Reports.RunFolder;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Training;

/// <summary>Resolves an <c>init_from</c> reference to a verified checkpoint folder: a checkpoint folder itself, a run
/// folder (its best checkpoint by validation loss, else its newest), or <c>latest:&lt;experiment name&gt;</c> (the
/// newest run of that experiment under the results folder).</summary>
public static class InitFrom
{
    public const string LatestPrefix = "latest:";

    /// <param name="newest">For a run folder or <c>latest:</c>: its newest valid checkpoint instead of the one with the
    /// lowest validation loss (a diffusion run's EMA weights, which that raw-model loss does not rank).</param>
    public static Checkpoint Resolve(string reference, string resultsRoot, string baseDirectory, bool newest = false)
    {
        string path;
        if (reference.StartsWith(LatestPrefix, StringComparison.Ordinal))
        {
            string name = reference[LatestPrefix.Length..];
            if (!RunFolder.IsPlainName(name) || name.Contains("..", StringComparison.Ordinal))
                throw new InvalidDataException($"init_from: '{reference}': after latest: comes an experiment name, not a path");
            path = Latest(Path.Combine(resultsRoot, name))
                ?? throw new InvalidDataException($"init_from: no run of '{name}' under {resultsRoot} (run that experiment first)");
        }
        else
        {
            path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(baseDirectory, reference)));
            // results/<name>/latest is the pointer's run, resolved as latest:<name> is: inside the results folder only.
            if (Path.GetFileName(path) == RunFolder.LatestLink && Latest(Path.GetDirectoryName(path)!) is { } latest) path = latest;
        }

        if (File.Exists(Path.Combine(path, CheckpointStore.ManifestFile)))
        {
            CheckpointStore.TryParseStep(Path.GetFileName(path.TrimEnd('/')), out long step);
            var (checkpoint, problem) = CheckpointStore.Verify(path, step);
            return checkpoint ?? throw new InvalidDataException($"init_from: {path}: {problem}");
        }
        if (File.Exists(Path.Combine(path, RunFiles.RunInfo)))
        {
            var store = new CheckpointStore(Path.Combine(path, RunFiles.Checkpoints));
            var valid = store.Scan().Where(c => c.Checkpoint is not null).Select(c => c.Checkpoint!).ToList();
            return (newest ? valid.MaxBy(c => c.Step) : valid.Where(c => c.State.ValLoss is not null).MinBy(c => c.State.ValLoss) ?? valid.FirstOrDefault())
                ?? throw new InvalidDataException($"init_from: {path} has no valid checkpoint");
        }
        throw new InvalidDataException($"init_from: {reference} is neither a run folder, a checkpoint folder nor latest:<name>");
    }

    private static string? Latest(string experimentDir)
    {
        try { return RunFolder.ResolveLatest(experimentDir); }
        catch (InvalidDataException e) { throw new InvalidDataException($"init_from: {e.Message}", e); }
    }
}
