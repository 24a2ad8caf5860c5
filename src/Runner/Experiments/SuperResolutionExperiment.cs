using System.Globalization;
using System.Text.Json;
using GenLab.Models.Data;
using GenLab.Models.Diffusion;
using GenLab.Models.Images;
using GenLab.Models.Quality;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: super_resolution</c> — a diffusion U-Net conditioned on a low-resolution copy of the image (SR3,
/// Saharia et al. 2021): each image is shrunk to <c>low_res_size</c> by area averaging, upscaled back by bicubic
/// interpolation, and concatenated to x_t along the channels, so the network learns p(sharp image | small one).
/// Trained like <c>kind: diffusion</c> (ε-MSE, EMA weights); at the end the held-out images are super-resolved with
/// DDIM and compared with the bicubic upscaling they started from, by PSNR and SSIM against the originals.</summary>
public sealed class SuperResolutionExperiment : ITrainableExperiment, IUpdatesAfterStep, IWritesReportSections
{
    public const string ResultsFile = "super_resolution.json";
    private const int Scale = 3, GridSeedOffset = 1, EvalSeedOffset = 1000;

    private readonly SuperResolutionConfig _config;
    private readonly LabelledImages _images;
    private readonly Tensor _trainCondition, _valCondition;     // (N, C, H, W) bicubic upscalings in [-1, 1]
    private readonly NoiseScheduler _scheduler;
    private readonly UNet _model;
    private readonly EmaWeights<UNet> _ema;
    private readonly Device _device;
    private readonly long _seed;
    private readonly int _steps;

    public SuperResolutionExperiment(ExperimentConfig config, Device device, ExperimentContext context)
    {
        _config = config.ModelAs<SuperResolutionConfig>();
        var data = config.DataAs<ImageDatasetConfig>();
        _device = device;
        _seed = config.Seed;
        _steps = config.Training.Steps;
        _images = LabelledImages.Load(data, config.Seed);
        if (_images.Val.shape[0] < 2) throw new InvalidDataException("data.val_fraction: super-resolution is scored on validation images; this data has fewer than 2");
        _trainCondition = Condition(_images.Train);
        _valCondition = Condition(_images.Val);
        _scheduler = new NoiseScheduler(_config.Scheduler);

        var unet = _config.Unet with { ConcatChannels = _images.Channels };
        _model = new UNet(unet, _images.Channels, _images.Size);
        _model.to(device);
        var average = new UNet(unet, _images.Channels, _images.Size);
        average.to(device);
        _ema = new EmaWeights<UNet>(_model, average, _config.Ema);
        if (context.Resume is { } checkpoint)
        {
            _ema.Average.load(checkpoint.File(DiffusionExperiment.EmaFile));
            using var state = JsonDocument.Parse(File.ReadAllText(checkpoint.File(DiffusionExperiment.EmaStateFile)));
            _ema.Updates = state.RootElement.GetProperty("updates").GetInt64();
        }
    }

    public nn.Module Model => _model;

    public long TokensPerBatch(int batchSize) => batchSize;

    /// <summary>DDPM's ε-MSE with the low-resolution condition beside x_t.</summary>
    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var rows = LabelledImages.Rows(_images.Train.shape[0], batches, batchSize);
        using var generator = new Generator(batches.NextUInt64());
        return Loss(_images.Train, _trainCondition, rows, generator);                       // ()
    }

    public bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => LabelledImages.BatchHasNonFinite(_images.Train, batches, batchSize);

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss(_images.Train, _trainCondition, batches, batchSize, "eval-train")),
        ("val", "loss", MeanLoss(_images.Val, _valCondition, batches, batchSize, "eval-val")),
    ];

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

    public void AfterStep(long step) => _ema.Update(_model);

    public void SaveArtifacts(string directory)
    {
        _ema.Average.save(Path.Combine(directory, DiffusionExperiment.EmaFile));
        ResultsJson.Write(Path.Combine(directory, DiffusionExperiment.EmaStateFile), new { updates = _ema.Updates, decay = _ema.DecayAt(_ema.Updates) });
    }

    public void WriteSections(string runDirectory, long step)
    {
        _ema.Average.eval();
        var section = new SectionBuilder();
        int shown = Math.Min(_config.GridImages, (int)_images.Val.shape[0]);
        string gridName = $"superres-{step:D6}.png";
        using (var scope = NewDisposeScope())
        {
            var rows = Rows(shown, _seed + GridSeedOffset);
            section.Heading("Super-resolution while training")
                .Figure(gridName, LatentFigures.Rows(rows, Scale),
                    $"Step {step}. Rows: the {_config.LowResSize}×{_config.LowResSize} input (shown with square pixels), its bicubic upscaling, "
                    + $"the model's {_images.Size}×{_images.Size} (DDIM {_config.SampleSteps} steps, EMA weights, the same noise at every checkpoint), the original.");
        }
        object? scores = null;
        if (step >= _steps) scores = Score(section);
        section.Write(runDirectory, 10, "super-resolution");
        ResultsJson.Write(Path.Combine(runDirectory, ResultsFile), new { step, ema_updates = _ema.Updates, scores });
    }

    public IReadOnlyDictionary<string, double> Results(string runDirectory) =>
        ResultsJson.Numbers(Path.Combine(runDirectory, ResultsFile),
            ("sr_psnr", "scores.sr_psnr"), ("bicubic_psnr", "scores.bicubic_psnr"), ("psnr_gain", "scores.psnr_gain"),
            ("sr_ssim", "scores.sr_ssim"), ("bicubic_ssim", "scores.bicubic_ssim"), ("ssim_gain", "scores.ssim_gain"));

    // ---- training ----------------------------------------------------------------------------------------------

    /// <returns>(N, C, H, W) in [−1, 1]: each image shrunk to low_res_size by area averaging and upscaled back by bicubic.</returns>
    private Tensor Condition(Tensor images)
    {
        using var scope = NewDisposeScope();
        var low = Resampling.Area(images, _config.LowResSize);                             // (N, C, s, s)
        return DiffusionSampler.FromUnitInterval(Resampling.Bicubic(low, (int)images.shape[2])).MoveToOuterDisposeScope();
    }

    /// <returns>() the ε-MSE of the images <paramref name="rows"/>.</returns>
    private Tensor Loss(Tensor data, Tensor condition, long[] rows, Generator generator)
    {
        using var index = tensor(rows);
        var x0 = DiffusionSampler.FromUnitInterval(data.index_select(0, index)).to(_device);  // (B, C, H, W) in [-1, 1]
        var cond = condition.index_select(0, index).to(_device);                          // (B, C, H, W)
        long B = rows.Length;
        var t = randint(0, _scheduler.TrainTimesteps, [B], ScalarType.Int64, generator: generator).to(_device);   // (B)
        var noise = randn(x0.shape, generator: generator).to(_device);                    // (B, C, H, W)
        var xt = _scheduler.AddNoise(x0, noise, t);                                       // (B, C, H, W)
        return nn.functional.mse_loss(_model.call(cat([xt, cond], 1), t, null), noise);   // () from (B, 2C, H, W)
    }

    private double MeanLoss(Tensor data, Tensor condition, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var rows = LabelledImages.Rows(data.shape[0], rng, batchSize);
            using var generator = new Generator(rng.NextUInt64());
            total += Loss(data, condition, rows, generator).item<float>();
        }
        return total / batches;
    }

    // ---- super-resolving and scoring ---------------------------------------------------------------------------

    /// <returns>(N, C, H, W) in [0, 1] on the CPU: the first <paramref name="count"/> validation images super-resolved.</returns>
    private Tensor SuperResolve(int count, long seed, double strength)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        using var generator = new Generator((ulong)seed);
        for (int start = 0; start < count; start += 128)
        {
            int n = Math.Min(128, count - start);
            parts.Add(Sample(_valCondition[TensorIndex.Slice(start, start + n)].to(_device), generator, strength));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();                                     // (N, C, H, W)
    }

    /// <summary>DDIM with the EMA U-Net given <paramref name="condition"/>, from pure noise (strength 1) or from the
    /// condition itself noised to <paramref name="strength"/> of the run (<see cref="DiffusionSampler.Sdedit"/>).</summary>
    /// <param name="condition">(N, C, S, S) bicubic upscalings in [−1, 1], on the device.</param>
    /// <returns>(N, C, S, S) in [0, 1] on the CPU.</returns>
    private Tensor Sample(Tensor condition, Generator generator, double strength)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sampler = new DiffusionSampler(_scheduler, (x, t, c) => _ema.Average.call(cat([x, c!], 1), t, null));
        var options = new SamplingOptions { Condition = condition };
        using var samples = strength >= 1
            ? sampler.Ddim(condition.shape, _config.SampleSteps, _config.Eta, generator, options, _device)
            : sampler.Sdedit(condition, strength, _config.SampleSteps, _config.Eta, generator, options);
        return DiffusionSampler.ToUnitInterval(samples.Images).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Any images to the model's side: shrunk (or grown) to low_res_size as the training images were, then
    /// super-resolved from noise drawn with <paramref name="seed"/>.</summary>
    /// <param name="images">(N, C, H, W) in [0, 1] with the model's channel count, any H and W.</param>
    /// <returns>(N, C, S, S) in [0, 1] on the CPU.</returns>
    internal Tensor Upscale(Tensor images, long seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _ema.Average.eval();
        var low = Resampling.Resize(images, _config.LowResSize);                           // (N, C, s, s)
        var cond = DiffusionSampler.FromUnitInterval(Resampling.Bicubic(low, _images.Size)).to(_device);   // (N, C, S, S)
        using var generator = new Generator((ulong)seed);
        return Sample(cond, generator, _config.StartStrength).MoveToOuterDisposeScope();
    }

    internal int Channels => _images.Channels;
    internal int LowResSize => _config.LowResSize;

    /// <returns>Four rows of <paramref name="count"/> images: input, bicubic, model, original.</returns>
    private List<Tensor> Rows(int count, long seed)
    {
        var originals = _images.Val[TensorIndex.Slice(0, count)];                          // (n, C, H, W)
        var low = Resampling.Area(originals, _config.LowResSize);                         // (n, C, s, s)
        var blocky = nn.functional.interpolate(low, size: [_images.Size, _images.Size], mode: InterpolationMode.Nearest);
        var bicubic = DiffusionSampler.ToUnitInterval(_valCondition[TensorIndex.Slice(0, count)]);
        return [blocky, bicubic, SuperResolve(count, seed, _config.StartStrength), originals];
    }

    private object Score(SectionBuilder section)
    {
        using var scope = NewDisposeScope();
        int n = _config.EvalImages == 0 ? (int)_images.Val.shape[0] : Math.Min(_config.EvalImages, (int)_images.Val.shape[0]);
        var originals = _images.Val[TensorIndex.Slice(0, n)];                              // (N, C, H, W)
        var bicubic = DiffusionSampler.ToUnitInterval(_valCondition[TensorIndex.Slice(0, n)]);
        (double Psnr, double Ssim) Measure(Tensor images) => (PixelMetrics.Psnr(images, originals).Average(), PixelMetrics.Ssim(images, originals).Average());
        var baseline = Measure(bicubic);
        // From pure noise (SR3), and from the noised bicubic upscaling when the config starts there; the same seeds.
        var strengths = _config.StartStrength < 1 ? new[] { 1.0, _config.StartStrength } : [1.0];
        var measured = strengths.Select(s => (Strength: s, Scores: Measure(SuperResolve(n, _seed + EvalSeedOffset, s)))).ToList();
        var chosen = measured[^1].Scores;
        string How(double s) => s >= 1 ? "diffusion from pure noise (SR3)" : $"diffusion from the bicubic upscaling noised to t₀ = {F(s)}";
        section.Heading("Super-resolution against bicubic upscaling")
            .Paragraph($"The first {n} validation images (never trained on), shrunk to {_config.LowResSize}×{_config.LowResSize} and brought back to "
                + $"{_images.Size}×{_images.Size}: by bicubic interpolation (Keys, a = −0.75), and by the model (DDIM {_config.SampleSteps} steps for a "
                + $"whole run, η = {F(_config.Eta)}, sample seeds from {_seed + EvalSeedOffset}, not the grid's). PSNR and SSIM (Wang et al. 2004, "
                + "11×11 Gaussian window) against the originals, averaged over the images; higher is closer. A sample draws detail the small image "
                + "does not hold, so it is sharper than bicubic but need not be pixel-for-pixel closer: PSNR rewards the blur of an average.")
            .Table(["upscaling", "PSNR (dB)", "SSIM"],
                [["bicubic", F2(baseline.Psnr), F(baseline.Ssim)], .. measured.Select(m => (IReadOnlyList<TableCell>)[How(m.Strength), F2(m.Scores.Psnr), F(m.Scores.Ssim)])],
                [false, true, true]);
        return new
        {
            images = n, sample_steps = _config.SampleSteps, eta = _config.Eta, low_res_size = _config.LowResSize, start_strength = _config.StartStrength,
            sr_psnr = chosen.Psnr, bicubic_psnr = baseline.Psnr, psnr_gain = chosen.Psnr - baseline.Psnr,
            sr_ssim = chosen.Ssim, bicubic_ssim = baseline.Ssim, ssim_gain = chosen.Ssim - baseline.Ssim,
            from_noise_psnr = measured[0].Scores.Psnr, from_noise_ssim = measured[0].Scores.Ssim,
        };
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _ema.Dispose();
        _model.Dispose();
        _trainCondition.Dispose();
        _valCondition.Dispose();
        _images.Dispose();
    }
}
