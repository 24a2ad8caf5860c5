using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Training;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary>A finished <c>kind: diffusion</c> run opened for reuse by the image-to-image experiments: its
/// experiment.yaml (data, U-Net, noise schedule, sampling settings, seed) and the EMA weights of the checkpoint that
/// <c>init_from</c> names (a checkpoint folder, or a run folder or <c>latest:&lt;name&gt;</c>: its newest checkpoint), with
/// its data rendered again from that config — so the held-out images are the run's own validation images, which
/// neither its U-Net nor its quality judge trained on.</summary>
public sealed class DiffusionRun : IDisposable
{
    private DiffusionRun(DiffusionExperiment experiment, Checkpoint checkpoint, string runDirectory, string name)
    {
        Experiment = experiment;
        Checkpoint = checkpoint;
        RunDirectory = runDirectory;
        Name = name;
    }

    public DiffusionExperiment Experiment { get; }
    public Checkpoint Checkpoint { get; }
    public string RunDirectory { get; }
    /// <summary>The diffusion experiment's name.</summary>
    public string Name { get; }

    /// <exception cref="InvalidDataException">The reference names no diffusion run with a valid checkpoint; the
    /// message starts with <c>model.init_from:</c>.</exception>
    public static DiffusionRun Open(string reference, ExperimentContext context, Device device) =>
        Open(Locate(reference, context, "diffusion"), context, device);

    /// <summary>A diffusion run <see cref="Locate"/> found, with its data and EMA weights loaded.</summary>
    public static DiffusionRun Open((Checkpoint Checkpoint, string RunDirectory, RunInfo Info, LoadedExperiment Loaded) found,
        ExperimentContext context, Device device)
    {
        var experiment = new DiffusionExperiment(found.Loaded.Config, device,
            context with { Resume = found.Checkpoint, WorkingDirectory = found.Info.WorkingDirectory });
        return new DiffusionRun(experiment, found.Checkpoint, found.RunDirectory, found.Loaded.Config.Name);
    }

    /// <summary>How many of the run's validation images (the first ones of its split) an editor takes.</summary>
    /// <exception cref="InvalidDataException">Fewer than 2: the judge's measures compare sets of images.</exception>
    public int HeldOut(int requested)
    {
        int n = (int)Math.Min(requested, Experiment.Images.Val.shape[0]);
        return n >= 2 ? n : throw new InvalidDataException($"data.images: the diffusion run {RunDirectory} has {n} validation image(s); at least 2 are needed");
    }

    /// <summary>The checkpoint a reference names, its run folder, run.json and experiment.yaml, for a run of one of
    /// <paramref name="kinds"/>.</summary>
    /// <exception cref="InvalidDataException">No such run, a run of another kind, or files that do not load.</exception>
    public static (Checkpoint Checkpoint, string RunDirectory, RunInfo Info, LoadedExperiment Loaded) Locate(string reference,
        ExperimentContext context, params string[] kinds)
    {
        // A run (not one of its checkpoints) means its newest checkpoint: the EMA weights its own report sampled with.
        var checkpoint = InitFrom.Resolve(reference, context.ResultsRoot, context.WorkingDirectory, newest: true);
        // Checkpoints live in <run>/checkpoints/step-NNNNNN.
        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(checkpoint.Path))!)!;
        RunInfo info;
        try { info = RunInfo.Read(runDirectory); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"model.init_from: {checkpoint.Path} is not inside a readable run folder ({e.Message})", e);
        }
        if (!kinds.Contains(info.Kind))
            throw new InvalidDataException($"model.init_from: {runDirectory} is a '{info.Kind}' run; this needs a {string.Join(" or ", kinds)} run (e.g. latest:ddpm-drawer)");
        try { return (checkpoint, runDirectory, info, ExperimentLoader.Load(Path.Combine(runDirectory, RunFiles.Experiment), [], info.WorkingDirectory)); }
        catch (ConfigException e)
        {
            throw new InvalidDataException($"model.init_from: the run's experiment.yaml does not load: {e.Message}", e);
        }
    }

    public void Dispose() => Experiment.Dispose();
}
