using System.Globalization;
using GenLab.Models.Diffusion;
using GenLab.Models.Images;
using GenLab.Models.Quality;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: sdedit</c> — image to image with a trained unconditional diffusion model (SDEdit, Meng et al.
/// 2022; diffusers' img2img). Each held-out image, turned into an input (a flat colour blob of the item — "sketch to
/// item" — or a noisy copy), is noised to the timestep a strength t₀ names and denoised back by the <c>init_from</c>
/// run's EMA U-Net. The report shows the input → output grid per strength and the trade-off as curves: the stronger,
/// the more real the output looks to the run's quality judge (and the more often it is the original's item), and the
/// farther it strays from the input. Nothing is trained.</summary>
public sealed class SdeditExperiment : IAnalysisExperiment, IDisposable
{
    public const string ResultsFile = "sdedit.json";
    private const int Scale = 3;

    /// <summary>One strength's outcome on one kind of input (strength 0: the input itself).</summary>
    public sealed record Point(double Strength, double InputDistance, double OriginalDistance, double ConfidentShare,
        double OriginalClassShare, double FidLite);

    public sealed record InputCurve(string Input, string Description, IReadOnlyList<Point> Points);

    private readonly ExperimentConfig _config;
    private readonly DiffusionRun _run;
    private readonly int _n;

    /// <summary>Opens the <c>init_from</c> run before a run folder is claimed: a missing or wrong run leaves none behind.</summary>
    /// <exception cref="InvalidDataException">The run is missing, not a diffusion run, or too small for the settings.</exception>
    public SdeditExperiment(ExperimentConfig config, Device device, ExperimentContext context)
    {
        _config = config;
        var model = config.ModelAs<SdeditConfig>();
        var data = config.DataAs<HeldOutImagesConfig>();
        _run = DiffusionRun.Open(model.InitFrom!, context, device);
        try
        {
            _n = _run.HeldOut(data.Images);
            Check(model, _run.Experiment);
        }
        catch
        {
            _run.Dispose();
            throw;
        }
    }

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var model = _config.ModelAs<SdeditConfig>();
        var run = _run;
        var diffusion = run.Experiment;
        int n = _n;
        int steps = model.Steps ?? diffusion.Config.SampleSteps;
        double eta = model.Eta ?? diffusion.Config.Eta;
        logger.LogInformation("SDEdit with {Run} (checkpoint step {Step}): {N} held-out images, DDIM {Steps} steps, eta {Eta}, strengths {Strengths}",
            run.RunDirectory, run.Checkpoint.Step, n, steps, F(eta), string.Join(", ", model.Strengths.Select(F)));

        using var scope = NewDisposeScope();
        var originals = diffusion.Images.Val[TensorIndex.Slice(0, n)];                      // (N, C, H, W) in [0, 1]
        var classes = diffusion.JudgeClasses(validation: true).Take(n).ToList();
        var judge = diffusion.Judge();
        using var judgeModel = judge.Model;
        var sampler = new DiffusionSampler(diffusion.Scheduler, diffusion.EmaDenoiser());
        double threshold = diffusion.Config.ConfidenceThreshold;
        int shown = Math.Min(model.GridImages, n);
        var section = new SectionBuilder().Heading("SDEdit: image to image")
            .Paragraph($"{n} validation images of {run.Name} (which neither its U-Net nor its judge trained on), each turned into an input, "
                + $"noised to the timestep of a strength t₀ and denoised by DDIM ({steps} steps for t₀ = 1, η = {F(eta)}) with the EMA weights of "
                + $"{Path.GetFileName(run.RunDirectory)}, checkpoint step {run.Checkpoint.Step}. Realism: the share the run's judge classifies with "
                + $"confidence ≥ {F(threshold)}; faithfulness: the RMS pixel distance (0…1) to the input. Every strength starts from the same noise.");

        var curves = new List<InputCurve>();
        foreach (var kind in model.Inputs)
        {
            stop.ThrowIfCancellationRequested();
            using var inputScope = NewDisposeScope();
            var (inputs, description) = Inputs(kind, originals, model.NoiseLevel, _config.Seed);          // (N, C, H, W) in [0, 1]
            var points = new List<Point> { Measure(0, inputs, inputs, originals, classes, judgeModel, threshold) };
            var rows = new List<Tensor> { originals[TensorIndex.Slice(0, shown)], inputs[TensorIndex.Slice(0, shown)] };
            using var x0 = DiffusionSampler.FromUnitInterval(inputs).to(diffusion.Device);   // (N, C, H, W) in [-1, 1]
            foreach (double strength in model.Strengths)
            {
                stop.ThrowIfCancellationRequested();
                using var strengthScope = NewDisposeScope();
                using var _ = no_grad();
                using var generator = new Generator((ulong)(_config.Seed + 17));              // the same ε at every strength
                using var samples = sampler.Sdedit(x0, strength, steps, eta, generator);
                var outputs = DiffusionSampler.ToUnitInterval(samples.Images).cpu();        // (N, C, H, W) in [0, 1]
                var point = Measure(strength, outputs, inputs, originals, classes, judgeModel, threshold);
                points.Add(point);
                rows.Add(outputs[TensorIndex.Slice(0, shown)].MoveToOuterDisposeScope());
                logger.LogInformation("{Input,-6} t0 {Strength}: distance to input {Distance:F3}, confident {Confident:F3}, original's item {Match:F3}",
                    Name(kind), F(strength), point.InputDistance, point.ConfidentShare, point.OriginalClassShare);
            }
            var curve = new InputCurve(Name(kind), description, points);
            curves.Add(curve);
            WriteInput(section, curve, rows, shown);
        }
        section.Write(folder.Path, 10, "sdedit");
        ResultsJson.Write(folder.File(ResultsFile), new
        {
            init_from = run.RunDirectory, checkpoint_step = run.Checkpoint.Step, images = n, steps, eta, confidence_threshold = threshold,
            judge_val_accuracy = judge.Scores.ValAccuracy, inputs = curves,
        });
        return Results(curves);
    }

    /// <summary>The named results of each input (see <c>ResultCatalog</c>): realism gained over the input itself, the
    /// distance to the input growing with the strength, and the faithfulness to the original's item given up.</summary>
    public static IReadOnlyDictionary<string, double> Results(IReadOnlyList<InputCurve> curves)
    {
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var curve in curves)
        {
            Point input = curve.Points[0];
            var edited = curve.Points.Skip(1).ToList();
            Point weakest = edited[0], strongest = edited[^1];
            results[$"{curve.Input}_realism_rise"] = strongest.ConfidentShare - input.ConfidentShare;
            results[$"{curve.Input}_distance_rise"] = strongest.InputDistance - weakest.InputDistance;
            results[$"{curve.Input}_distance_increasing"] = edited.Zip(edited.Skip(1)).All(p => p.Second.InputDistance > p.First.InputDistance) ? 1 : 0;
            results[$"{curve.Input}_faithfulness_drop"] = weakest.OriginalClassShare - strongest.OriginalClassShare;
            results[$"{curve.Input}_confident_share"] = strongest.ConfidentShare;
            results[$"{curve.Input}_original_class_share"] = strongest.OriginalClassShare;
        }
        return results;
    }

    public static string Name(SdeditInput input) => input.ToString().ToLowerInvariant();

    private static (Tensor Images, string Description) Inputs(SdeditInput kind, Tensor originals, double noiseLevel, long seed)
    {
        if (kind == SdeditInput.Sketch)
            return (Sketches.ColourBlobs(originals), "sketch to item: each image reduced to a flat blob of its foreground's mean colour on its background's");
        using var generator = new Generator((ulong)(seed + 23));
        using var noise = randn(originals.shape, generator: generator);                     // (N, C, H, W)
        return ((originals + noiseLevel * noise).clamp(0, 1), $"denoising: each image with Gaussian pixel noise of standard deviation {F(noiseLevel)}");
    }

    private static Point Measure(double strength, Tensor outputs, Tensor inputs, Tensor originals, IReadOnlyList<string> classes,
        ImageClassifier judge, double threshold)
    {
        var quality = SampleQuality.Measure(judge, originals, outputs, classes, threshold);
        return new Point(strength, PixelMetrics.RmsDistance(outputs, inputs).Average(), PixelMetrics.RmsDistance(outputs, originals).Average(),
            quality.ConfidentShare, quality.MatchShare!.Value, quality.FidLite);
    }

    private static void WriteInput(SectionBuilder section, InputCurve curve, IReadOnlyList<Tensor> rows, int shown)
    {
        var strengths = curve.Points.Select(p => p.Strength).ToList();
        string slug = curve.Input;
        section.Heading($"Input: {curve.Input}", level: 3).Paragraph(curve.Description + ".")
            .Figure($"sdedit-{slug}-grid.png", LatentFigures.Rows(rows, Scale),
                $"Rows: the original, the input, then the output at t₀ = {string.Join(", ", strengths.Skip(1).Select(F))} (first {shown} images).")
            .Figure($"sdedit-{slug}-tradeoff.png", Charts.Lines($"SDEdit ({curve.Input}): realism against faithfulness", "strength t₀", "share / RMS distance",
                [
                    ("confident share (realism)", strengths, [.. curve.Points.Select(p => p.ConfidentShare)]),
                    ("classified as the original's item", strengths, [.. curve.Points.Select(p => p.OriginalClassShare)]),
                    ("RMS distance to the input", strengths, [.. curve.Points.Select(p => p.InputDistance)]),
                ], []),
                "t₀ = 0 is the input itself. The stronger the edit, the more the model's prior decides the picture and the less the input does.")
            .Table(["t₀", "distance to input", "distance to original", "confident share", "original's item", "FID-lite vs originals"],
                curve.Points.Select(p => (IReadOnlyList<TableCell>)[p.Strength == 0 ? "0 (input)" : F(p.Strength), F(p.InputDistance),
                    F(p.OriginalDistance), F(p.ConfidentShare), F(p.OriginalClassShare), p.FidLite.ToString("0.0", CultureInfo.InvariantCulture)]),
                [true, true, true, true, true, true]);
    }

    private static void Check(SdeditConfig model, DiffusionExperiment diffusion)
    {
        int steps = model.Steps ?? diffusion.Config.SampleSteps;
        if (steps > diffusion.Scheduler.TrainTimesteps)
            throw new InvalidDataException($"model.steps: {steps} is more than the diffusion run's {diffusion.Scheduler.TrainTimesteps} training timesteps");
        double tooFew = model.Strengths.FirstOrDefault(s => Math.Floor(steps * s + 1e-9) < 1);
        if (tooFew > 0)
            throw new InvalidDataException($"model.strengths: {F(tooFew)} of {steps} steps leaves no step to run; use a larger strength or more steps");
    }

    public void Dispose() => _run.Dispose();

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
