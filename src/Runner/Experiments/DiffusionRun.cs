using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Training;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary>A finished <c>kind: diffusion</c> run opened for reuse by the image-to-image experiments: its
/// experiment.yaml (data, U-Net, noise schedule, sampling settings, seed) and the EMA weights of the checkpoint that
/// <c>init_from</c> names (<see cref="InitFrom.Resolve"/>: a run folder's best checkpoint by validation loss), with
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
    public static DiffusionRun Open(string reference, ExperimentContext context, Device device)
    {
        var checkpoint = InitFrom.Resolve(reference, context.ResultsRoot, context.WorkingDirectory);
        // Checkpoints live in <run>/checkpoints/step-NNNNNN.
        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(checkpoint.Path))!)!;
        RunInfo info;
        try { info = RunInfo.Read(runDirectory); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"model.init_from: {checkpoint.Path} is not inside a readable run folder ({e.Message})", e);
        }
        if (info.Kind != "diffusion")
            throw new InvalidDataException($"model.init_from: {runDirectory} is a '{info.Kind}' run; image editing needs a diffusion run (e.g. latest:ddpm-drawer)");

        LoadedExperiment loaded;
        try { loaded = ExperimentLoader.Load(Path.Combine(runDirectory, RunFiles.Experiment), [], info.WorkingDirectory); }
        catch (ConfigException e)
        {
            throw new InvalidDataException($"model.init_from: the diffusion run's experiment.yaml does not load: {e.Message}", e);
        }
        var experiment = new DiffusionExperiment(loaded.Config, device, context with { Resume = checkpoint, WorkingDirectory = info.WorkingDirectory });
        return new DiffusionRun(experiment, checkpoint, runDirectory, loaded.Config.Name);
    }

    public void Dispose() => Experiment.Dispose();
}
