using System.Diagnostics;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Training;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>Re-judges a finished diffusion run with other sampling settings, without training again: loads the run's
/// experiment.yaml with <c>--set</c> overrides (e.g. <c>model.sample_steps=100</c>, <c>model.eta=1</c>,
/// <c>model.guidance_scale=2</c>), the EMA weights of its newest checkpoint, writes the report sections into a scratch
/// folder and prints the quality numbers. For choosing an experiment's sampling settings; the run is not touched. It
/// draws its samples from the tuning seeds, not the ones the run's report is measured on.</summary>
internal static class DiffusionJudge
{
    public static int Run(string runDirectory, IReadOnlyList<string> sets)
    {
        var info = RunInfo.Read(runDirectory);
        var loaded = ExperimentLoader.Load(Path.Combine(runDirectory, RunFiles.Experiment), sets, info.WorkingDirectory);
        var checkpoint = new CheckpointStore(Path.Combine(runDirectory, RunFiles.Checkpoints)).NewestValid()
            ?? throw new InvalidDataException($"{runDirectory}: no valid checkpoint");
        string scratch = Directory.CreateTempSubdirectory("genlab-judge-").FullName;
        var clock = Stopwatch.StartNew();
        // The tuning seeds: settings chosen here are then reported by the run on its own, other, sample seeds.
        using var experiment = new DiffusionExperiment(loaded.Config, CPU, new ExperimentContext(scratch, info.WorkingDirectory, checkpoint))
            { TuningSeeds = true };
        using (no_grad()) experiment.WriteSections(scratch, checkpoint.Step);
        string json = File.ReadAllText(Path.Combine(scratch, DiffusionExperiment.ResultsFile));
        Console.WriteLine($"{checkpoint.Path} with [{string.Join(", ", sets)}] in {clock.Elapsed.TotalSeconds:F0} s; sections in {scratch}");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var q = doc.RootElement.GetProperty("quality");
        Console.WriteLine($"confident {q.GetProperty("confident_share")}, match {q.GetProperty("match_share")}, "
            + $"classes {q.GetProperty("classes_covered")}, FID-lite {q.GetProperty("fid_lite").GetDouble():F1}");
        return 0;
    }
}
