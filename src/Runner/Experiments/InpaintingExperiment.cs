using System.Globalization;
using GenLab.Models.Diffusion;
using GenLab.Models.Quality;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: inpainting</c> — filling a hidden part of held-out images with the <c>init_from</c> run's
/// unconditional EMA U-Net, without retraining: RePaint's resampling (Lugmayr et al. 2022) against the naive fill that
/// pastes the known region, noised to the current step, after every reverse step (<see cref="InpaintingSampler"/>).
/// Scored on the run's validation images, whose hidden part is known: PSNR inside the mask, and how often the run's
/// quality judge still names the original's item.</summary>
public sealed class InpaintingExperiment : IAnalysisExperiment, IDisposable
{
    public const string ResultsFile = "inpainting.json";
    private const int Scale = 3;

    /// <summary>One way of filling the hidden part, scored against the originals.</summary>
    public sealed record Fill(string Method, double PsnrInMask, double OriginalClassShare, double ConfidentShare, int NetworkCalls);

    private readonly ExperimentConfig _config;
    private readonly DiffusionRun _run;
    private readonly int _n;

    /// <summary>Opens the <c>init_from</c> run before a run folder is claimed: a missing or wrong run leaves none behind.</summary>
    /// <exception cref="InvalidDataException">The run is missing, not a diffusion run, or too small for the settings.</exception>
    public InpaintingExperiment(ExperimentConfig config, Device device, ExperimentContext context)
    {
        _config = config;
        var model = config.ModelAs<InpaintingConfig>();
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
        var model = _config.ModelAs<InpaintingConfig>();
        var run = _run;
        var diffusion = run.Experiment;
        int n = _n;
        int calls = InpaintingSampler.NetworkCalls(model.Steps, model.JumpLength, model.Resamples);
        logger.LogInformation("inpainting with {Run} (checkpoint step {Step}): {N} held-out images, {Mask} mask {Size}, {Steps} levels, "
            + "RePaint jump {Jump} × {Resamples} ({Calls} network calls) against pasting ({Steps} calls)",
            run.RunDirectory, run.Checkpoint.Step, n, model.Mask, F(model.MaskSize), model.Steps, model.JumpLength, model.Resamples, calls, model.Steps);

        using var scope = NewDisposeScope();
        var originals = diffusion.Images.Val[TensorIndex.Slice(0, n)];                      // (N, C, H, W) in [0, 1]
        var classes = diffusion.JudgeClasses(validation: true).Take(n).ToList();
        var judge = diffusion.Judge();
        using var judgeModel = judge.Model;
        double threshold = diffusion.Config.ConfidenceThreshold;
        var known = InpaintingSampler.KnownMask(model.Mask, model.MaskSize, diffusion.Images.Size);   // (1, 1, H, W)
        var hidden = 1 - known;                                                              // (1, 1, H, W)
        var sampler = new InpaintingSampler(diffusion.Scheduler, diffusion.EmaDenoiser());
        var x0 = DiffusionSampler.FromUnitInterval(originals).to(diffusion.Device);          // (N, C, H, W) in [-1, 1]
        var knownOnDevice = known.to(diffusion.Device);

        // The input as the model gets it: the hidden part greyed out (also the "no fill" reference).
        var masked = originals * known + 0.5 * hidden;                                       // (N, C, H, W)
        var fills = new List<Fill> { Score("no fill (grey)", masked, 0) };
        Tensor Inpaint(string method, Func<Generator, Tensor> inpaint, int networkCalls)
        {
            stop.ThrowIfCancellationRequested();
            using var generator = new Generator((ulong)(_config.Seed + 29));                 // the same noise for both methods
            Tensor filled;
            using (no_grad()) filled = DiffusionSampler.ToUnitInterval(inpaint(generator)).cpu();   // (N, C, H, W) in [0, 1]
            var fill = Score(method, filled, networkCalls);
            fills.Add(fill);
            logger.LogInformation("{Method,-8} PSNR in the mask {Psnr:F2} dB, original's item {Match:F3}, confident {Confident:F3}",
                method, fill.PsnrInMask, fill.OriginalClassShare, fill.ConfidentShare);
            return filled;
        }
        var pasted = Inpaint("paste", g => sampler.Paste(x0, knownOnDevice, model.Steps, g), model.Steps);
        var repainted = Inpaint("RePaint", g => sampler.RePaint(x0, knownOnDevice, model.Steps, model.JumpLength, model.Resamples, g), calls);

        Fill Score(string method, Tensor filled, int networkCalls)
        {
            var quality = SampleQuality.Measure(judgeModel, originals, filled, classes, threshold);
            return new Fill(method, PixelMetrics.Psnr(filled, originals, hidden).Average(), quality.MatchShare!.Value, quality.ConfidentShare, networkCalls);
        }

        int shown = Math.Min(model.GridImages, n);
        var rows = new[] { originals, masked, pasted, repainted }.Select(r => r[TensorIndex.Slice(0, shown)]).ToList();
        new SectionBuilder().Heading("Inpainting")
            .Paragraph($"{n} validation images of {run.Name} (which neither its U-Net nor its judge trained on) with a {model.Mask.ToString().ToLowerInvariant()} "
                + $"of {F(model.MaskSize)} of the side hidden, filled by the unconditional EMA U-Net of {Path.GetFileName(run.RunDirectory)} "
                + $"(checkpoint step {run.Checkpoint.Step}) over {model.Steps} noise levels: pasting the known region, noised to each level, after every "
                + $"reverse step, against RePaint, which also jumps back {model.JumpLength} levels and denoises again, {model.Resamples} passes over "
                + "each stretch, so the filled part can come to agree with the known one. Both start from the same noise. "
                + $"PSNR is measured inside the hidden part only; \"original's item\" is the share the run's judge classifies as the original's class.")
            .Figure("inpainting-grid.png", LatentFigures.Rows(rows, Scale), $"Rows: the original, the input (hidden part grey), pasting, RePaint (first {shown} images).")
            .Table(["fill", "PSNR in the mask (dB)", "original's item", $"confident (≥ {F(threshold)})", "network calls"],
                fills.Select(f => (IReadOnlyList<TableCell>)[f.Method, f.PsnrInMask.ToString("0.00", CultureInfo.InvariantCulture),
                    F(f.OriginalClassShare), F(f.ConfidentShare), f.NetworkCalls.ToString(CultureInfo.InvariantCulture)]),
                [false, true, true, true, true])
            .Write(folder.Path, 10, "inpainting");
        ResultsJson.Write(folder.File(ResultsFile), new
        {
            init_from = run.RunDirectory, checkpoint_step = run.Checkpoint.Step, images = n, mask = model.Mask.ToString().ToLowerInvariant(),
            mask_size = model.MaskSize, steps = model.Steps, jump_length = model.JumpLength, resamples = model.Resamples,
            confidence_threshold = threshold, judge_val_accuracy = judge.Scores.ValAccuracy, fills,
        });
        return Results(fills[1], fills[2]);
    }

    /// <summary>The named results (see <c>ResultCatalog</c>) of the two fills.</summary>
    public static IReadOnlyDictionary<string, double> Results(Fill paste, Fill repaint) => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["repaint_psnr"] = repaint.PsnrInMask,
        ["paste_psnr"] = paste.PsnrInMask,
        ["psnr_gain"] = repaint.PsnrInMask - paste.PsnrInMask,
        ["repaint_class_agreement"] = repaint.OriginalClassShare,
        ["paste_class_agreement"] = paste.OriginalClassShare,
        ["class_agreement_gain"] = repaint.OriginalClassShare - paste.OriginalClassShare,
    };

    private static void Check(InpaintingConfig model, DiffusionExperiment diffusion)
    {
        if (model.Steps > diffusion.Scheduler.TrainTimesteps)
            throw new InvalidDataException($"model.steps: {model.Steps} is more than the diffusion run's {diffusion.Scheduler.TrainTimesteps} training timesteps");
    }

    public void Dispose() => _run.Dispose();

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
