using System.Globalization;
using System.Text.Json;
using GenLab.Models.Data;
using GenLab.Models.Diffusion;
using GenLab.Models.Drawer;
using GenLab.Models.Images;
using GenLab.Models.Quality;
using GenLab.Models.Tokenizers;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: diffusion</c> — a U-Net learns to predict the noise added to real images (DDPM, Ho et al. 2020)
/// and, run backwards from pure noise, draws new ones (DDPM ancestral sampling or DDIM with fewer steps). With
/// <c>condition: caption</c> each image's caption conditions it — text-to-image in miniature, with classifier-free
/// guidance. Sampling uses an exponential moving average of the weights. At every checkpoint the report gets a
/// sample grid from the same seeded noise (students watch it learn); at the end the x_T … x_0 trajectory, DDIM with
/// several step counts, guidance scales side by side, and the classifier-judged quality of the samples.</summary>
public sealed class DiffusionExperiment : ITrainableExperiment, IUpdatesAfterStep, IWritesReportSections
{
    public const string ResultsFile = "diffusion.json";
    internal const string EmaFile = "ema.bin", EmaStateFile = "ema.json", CaptionTokenizerFile = "captions.tokenizer";
    private const int Scale = 3;
    /// <summary>Quality samples start from seed + this offset in the report, and from seed + <see cref="TuningSeedOffset"/>
    /// when sampling settings are being chosen (benchmark <c>diffusion-judge</c>): settings picked on one set of
    /// seeds are reported on another.</summary>
    private const long ReportSeedOffset = 1000, TuningSeedOffset = 500_000, FreshRealSeedOffset = 1_000_003;

    private readonly DiffusionExperimentConfig _config;
    private readonly ImageDatasetConfig _data;
    private readonly LabelledImages _images;
    private readonly NoiseScheduler _scheduler;
    private readonly Denoiser _model;
    private readonly EmaWeights<Denoiser> _ema;
    private readonly WordTokenizer? _captionTokenizer;
    private readonly string[] _captions = [];          // distinct captions, ordinal order
    private readonly long[] _trainCaption = [], _valCaption = [];   // caption index of each image
    private readonly PaddedCaptions? _paddedCaptions;                 // the data's captions, tokenized once
    private readonly Device _device;
    private readonly long _seed;
    private readonly int _steps;
    private readonly string _cacheRoot;

    public DiffusionExperiment(ExperimentConfig config, Device device, ExperimentContext context)
    {
        _config = config.ModelAs<DiffusionExperimentConfig>();
        _data = config.DataAs<ImageDatasetConfig>();
        _device = device;
        _seed = config.Seed;
        _steps = config.Training.Steps;
        _cacheRoot = Environment.GetEnvironmentVariable("GENLAB_CACHE") ?? Path.Combine(Path.GetTempPath(), "genlab-cache");
        _images = LabelledImages.Load(_data, config.Seed);
        _scheduler = new NoiseScheduler(_config.Scheduler);

        if (_config.Condition == DiffusionCondition.Caption)
        {
            var trainCaptions = Captions(_images.TrainLabels, _images.TrainColors);
            var valCaptions = Captions(_images.ValLabels, _images.ValColors);
            _captions = [.. trainCaptions.Concat(valCaptions).Distinct().Order(StringComparer.Ordinal)];
            if (_captions.Any(string.IsNullOrWhiteSpace))
                throw new InvalidDataException("condition: caption needs a label for every image (the data has unlabelled images)");
            _captionTokenizer = WordTokenizer.FromCorpus(string.Join('\n', _captions), Punctuation.Separate, lowercase: true);
            var index = _captions.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i, StringComparer.Ordinal);
            _trainCaption = [.. trainCaptions.Select(c => index[c])];
            _valCaption = [.. valCaptions.Select(c => index[c])];
            foreach (string prompt in _config.Prompts) CaptionIds(prompt);   // unknown words fail before training
            _paddedCaptions = Pad(_captions);
        }

        int vocabulary = _captionTokenizer?.VocabularySize ?? 0;
        _model = new Denoiser(_config.Unet, _images.Channels, _images.Size, vocabulary);
        _model.to(device);
        var average = new Denoiser(_config.Unet, _images.Channels, _images.Size, vocabulary);
        average.to(device);
        _ema = new EmaWeights<Denoiser>(_model, average, _config.Ema);
        if (context.Resume is { } checkpoint)
        {
            _ema.Average.load(checkpoint.File(EmaFile));
            using var state = JsonDocument.Parse(File.ReadAllText(checkpoint.File(EmaStateFile)));
            _ema.Updates = state.RootElement.GetProperty("updates").GetInt64();
        }
    }

    public nn.Module Model => _model;

    /// <summary>Draw the quality samples from the tuning seeds instead of the report's (see <see cref="ReportSeedOffset"/>).</summary>
    public bool TuningSeeds { get; init; }

    public long TokensPerBatch(int batchSize) => batchSize;

    /// <summary>DDPM's training objective (Algorithm 1, the "simple" loss of eq. 14): a random step t per image,
    /// x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε, and the mean squared error between ε and the U-Net's prediction. For
    /// text-to-image, cond_dropout of the captions become the null condition (classifier-free guidance).</summary>
    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var rows = LabelledImages.Rows(_images.Train.shape[0], batches, batchSize);
        using var generator = new Generator(batches.NextUInt64());
        return Loss(_images.Train, _trainCaption, rows, generator, _config.CondDropout);   // ()
    }

    public bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => LabelledImages.BatchHasNonFinite(_images.Train, batches, batchSize);

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss(_images.Train, _trainCaption, batches, batchSize, "eval-train")),
        ("val", "loss", MeanLoss(_images.Val, _valCaption, batches, batchSize, "eval-val")),
    ];

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

    public void AfterStep(long step) => _ema.Update(_model);

    public void SaveArtifacts(string directory)
    {
        _ema.Average.save(Path.Combine(directory, EmaFile));
        ResultsJson.Write(Path.Combine(directory, EmaStateFile), new { updates = _ema.Updates, decay = _ema.DecayAt(_ema.Updates) });
        _captionTokenizer?.Save(Path.Combine(directory, CaptionTokenizerFile));
    }

    public void WriteSections(string runDirectory, long step)
    {
        _ema.Average.eval();
        var section = new SectionBuilder();

        // 1. This checkpoint's samples, then every earlier checkpoint's, from the same seeded noise.
        string gridName = $"samples-{step:D6}.png";
        byte[] grid = SampleGrid();
        string dir = Path.Combine(runDirectory, RunFiles.Sections);
        var history = (Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "samples-*.png").Select(Path.GetFileName).OfType<string>() : [])
            .Append(gridName).Distinct().Order(StringComparer.Ordinal).Reverse().ToList();
        string what = _config.Condition == DiffusionCondition.Caption
            ? $"one row per prompt, guidance scale {F(_config.GuidanceScale)}"
            : $"{_config.GridSamples} samples";
        section.Heading("Samples while training")
            .Raw($"<p>DDIM with {_config.SampleSteps} steps (η = {F(_config.Eta)}) from the EMA weights, "
                + $"{what}, from the <em>same</em> seeded noise at every checkpoint: newest first.</p>\n",
                $"DDIM with {_config.SampleSteps} steps (η = {F(_config.Eta)}) from the EMA weights, {what}, "
                + "from the *same* seeded noise at every checkpoint: newest first.\n\n");
        foreach (string name in history)
        {
            string caption = $"step {long.Parse(name["samples-".Length..^4], CultureInfo.InvariantCulture)}";
            if (name == gridName) section.Figure(name, grid, caption);
            else section.FigureOf(name, caption);
        }

        // 2. The noise schedule this run uses, beside the other one.
        section.Heading("Noise schedule").Figure("noise-schedule.png", ScheduleFigure(),
            $"ᾱ_t, the share of the image's signal left at step t (x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε); this run: {_config.Scheduler.BetaSchedule}.");

        object? quality = null;
        if (step >= _steps)
        {
            // 3. Only at the end (each costs thousands of U-Net calls): trajectory, step counts, guidance, quality.
            section.Heading("How sampling works")
                .Figure("trajectory.png", TrajectoryStrip(),
                    $"DDPM with all {_scheduler.TrainTimesteps} steps, x_T (pure noise, left) … x_0 (right), one row per sample.")
                .Figure("ddim-steps.png", StepComparison(),
                    $"The same starting noise through DDIM with {string.Join(" / ", _config.CompareSteps)} steps (one row each).");
            if (_config.Condition == DiffusionCondition.Caption)
            {
                section.Heading("Text to image");
                foreach (double s in _config.GuidanceScales)
                    section.Figure($"prompts-guidance-{s.ToString("0.##", CultureInfo.InvariantCulture).Replace('.', '_')}.png", PromptGrid(s),
                        $"Guidance scale {F(s)}: one row per prompt ({string.Join(", ", Prompts())}), one column per seed.");
            }
            if (_config.QualitySamples > 0) quality = Quality(section);
        }
        section.Write(runDirectory, 10, "diffusion");
        ResultsJson.Write(Path.Combine(runDirectory, ResultsFile), new
        {
            step, ema_updates = _ema.Updates, ema_decay = _ema.DecayAt(_ema.Updates), quality,
        });
    }

    /// <summary>The quality measures the last checkpoint's <see cref="WriteSections"/> computed.</summary>
    public IReadOnlyDictionary<string, double> Results(string runDirectory) =>
        ResultsJson.Numbers(Path.Combine(runDirectory, ResultsFile),
            ("confident_share", "quality.confident_share"), ("real_confident_share", "quality.real_confident_share"),
            ("classes_covered", "quality.classes_covered_share"), ("fid_lite", "quality.fid_lite"),
            ("fid_lite_real", "quality.fid_lite_real"), ("prompt_match", "quality.match_share"),
            ("nearest_train_distance", "quality.nearest_train_distance"), ("nearest_train_distance_real", "quality.nearest_train_distance_real"));

    // ---- training and evaluation -------------------------------------------------------------------------------

    /// <returns>() the ε-MSE of the images <paramref name="rows"/> of <paramref name="data"/>.</returns>
    private Tensor Loss(Tensor data, long[] captionOf, long[] rows, Generator generator, double condDropout)
    {
        using var index = tensor(rows);
        var x0 = DiffusionSampler.FromUnitInterval(data.index_select(0, index)).to(_device);   // (B, C, H, W) in [-1, 1]
        long B = rows.Length;
        var t = randint(0, _scheduler.TrainTimesteps, [B], ScalarType.Int64, generator: generator).to(_device);   // (B)
        var noise = randn(x0.shape, generator: generator).to(_device);                        // (B, C, H, W)
        var xt = _scheduler.AddNoise(x0, noise, t);                                          // (B, C, H, W)
        Tensor? cond = null;
        if (_model.IsConditional)
        {
            cond = CaptionVectors(_model, [.. rows.Select(r => captionOf[r])]);              // (B, D)
            if (condDropout > 0)
            {
                var drop = (rand([B], generator: generator) < condDropout).to(_device);      // (B)
                cond = _model.DropCondition(cond, drop);                                     // (B, D)
            }
        }
        return nn.functional.mse_loss(_model.call(xt, t, cond), noise);                       // ()
    }

    /// <summary>The same batches, steps and noise at every evaluation (seeded by purpose), condition never dropped.</summary>
    private double MeanLoss(Tensor data, long[] captionOf, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var rows = LabelledImages.Rows(data.shape[0], rng, batchSize);
            using var generator = new Generator(rng.NextUInt64());
            total += Loss(data, captionOf, rows, generator, condDropout: 0).item<float>();
        }
        return total / batches;
    }

    // ---- captions ----------------------------------------------------------------------------------------------

    /// <summary>Drawer items are named with agreement ("régua vermelha"), digits as "dígito 7"; other data by label.</summary>
    private string[] Captions(string[] labels, string[]? colors)
    {
        if (_data.Source == ImageSource.Drawer && colors is not null)
            return [.. labels.Select((type, i) => DrawerItem.All.First(item =>
                DrawerItem.TypeWord(item.Type) == type && DrawerItem.ColorWord(item.Color, feminine: false) == colors[i]).Name)];
        if (_data.Source == ImageSource.Digits) return [.. labels.Select(l => $"dígito {l}")];
        return labels;
    }

    /// <summary>Word ids of a prompt; words the captions never use are an error listing them and the vocabulary.</summary>
    private IReadOnlyList<int> CaptionIds(string prompt)
    {
        var tokenizer = _captionTokenizer!;
        var words = tokenizer.Words(prompt);
        var unknown = words.Where(w => tokenizer.Encode(w) is [0]).Distinct().ToList();
        if (words.Count == 0 || unknown.Count > 0)
            throw new ArgumentException(
                (words.Count == 0 ? $"prompt \"{prompt}\" has no words" : $"prompt \"{prompt}\": unknown word(s) {string.Join(", ", unknown.Select(w => $"'{w}'"))}")
                + $"; the captions of this data use: {string.Join(", ", KnownWords())}");
        return tokenizer.Encode(prompt);
    }

    private IEnumerable<string> KnownWords() =>
        Enumerable.Range(1, _captionTokenizer!.VocabularySize - 1).Select(i => _captionTokenizer.Decode([i])).Order(StringComparer.Ordinal);

    /// <returns>(B, cond_dim) the caption vector of each caption index, from <paramref name="model"/>'s encoder.</returns>
    private Tensor CaptionVectors(Denoiser model, IReadOnlyList<long> captionIndex)
    {
        var all = Encode(model, _paddedCaptions!);                                           // (K, D)
        using var index = tensor(captionIndex.ToArray(), device: _device);
        return all.index_select(0, index);                                                   // (B, D)
    }

    /// <returns>(K, cond_dim) one vector per prompt.</returns>
    private Tensor EncodePrompts(Denoiser model, IReadOnlyList<string> prompts) => Encode(model, Pad(prompts));

    private Tensor Encode(Denoiser model, PaddedCaptions padded) =>
        model.EncodeCaptions(tensor(padded.Tokens, [padded.Count, padded.Length]).to(_device),
            tensor(padded.Mask, [padded.Count, padded.Length]).to(_device));                 // (K, D)

    /// <summary>Word ids of each prompt, padded to the longest, with a mask of the real words.</summary>
    private PaddedCaptions Pad(IReadOnlyList<string> prompts)
    {
        var ids = prompts.Select(CaptionIds).ToList();
        int length = ids.Max(i => i.Count);
        var tokens = new long[prompts.Count * length];
        var mask = new float[prompts.Count * length];
        for (int k = 0; k < ids.Count; k++)
            for (int j = 0; j < ids[k].Count; j++)
            {
                tokens[k * length + j] = ids[k][j];
                mask[k * length + j] = 1;
            }
        return new PaddedCaptions(tokens, mask, prompts.Count, length);
    }

    private sealed record PaddedCaptions(long[] Tokens, float[] Mask, int Count, int Length);

    private IReadOnlyList<string> Prompts() => _config.Prompts.Count > 0 ? _config.Prompts : _captions;

    // ---- sampling ----------------------------------------------------------------------------------------------

    private long[] ImageShape(int count) => [count, _images.Channels, _images.Size, _images.Size];

    private DiffusionSampler Sampler() => new(_scheduler, (x, t, c) => _ema.Average.call(x, t, c));

    /// <summary>Sampling options for one prompt per row of a batch (text-to-image), or none.</summary>
    private SamplingOptions Options(IReadOnlyList<string>? prompts, double guidance)
    {
        if (prompts is null) return new SamplingOptions();
        var cond = EncodePrompts(_ema.Average, prompts);                                     // (B, D)
        using var all = ones([prompts.Count], ScalarType.Bool, _device);
        return new SamplingOptions { Condition = cond, Unconditional = _ema.Average.DropCondition(cond, all), GuidanceScale = guidance };
    }

    /// <returns>(B, C, H, W) in [0, 1] on the CPU: DDIM samples from x_T drawn with <paramref name="seed"/>.</returns>
    private Tensor Ddim(int count, long seed, int steps, IReadOnlyList<string>? prompts, double guidance)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed);
        using var samples = Sampler().Ddim(ImageShape(count), steps, _config.Eta, generator, Options(prompts, guidance), _device);
        return DiffusionSampler.ToUnitInterval(samples.Images).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Per-column seeds: column j of every row starts from the same noise, so rows differ only by prompt.</summary>
    private Tensor PromptRows(IReadOnlyList<string> prompts, int columns, double guidance, int steps)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator((ulong)(_seed + 7));
        var noise = DiffusionSampler.InitialNoise(ImageShape(columns), generator, _device);   // (S, C, H, W)
        var xT = noise.repeat(prompts.Count, 1, 1, 1);                                       // (P·S, C, H, W)
        var rowPrompts = prompts.SelectMany(p => Enumerable.Repeat(p, columns)).ToList();
        using var samples = Sampler().Ddim(xT, steps, _config.Eta, generator, Options(rowPrompts, guidance));
        return DiffusionSampler.ToUnitInterval(samples.Images).cpu().MoveToOuterDisposeScope();   // (P·S, C, H, W)
    }

    private byte[] SampleGrid()
    {
        using var scope = NewDisposeScope();
        if (_config.Condition == DiffusionCondition.Caption)
            return LatentFigures.Grid(PromptRows(Prompts().Take(8).ToList(), _config.SeedsPerPrompt, _config.GuidanceScale, _config.SampleSteps),
                _config.SeedsPerPrompt, Scale);
        var samples = Ddim(_config.GridSamples, _seed + 1, _config.SampleSteps, null, 1);
        return LatentFigures.Grid(samples, Math.Min(8, _config.GridSamples), Scale);
    }

    private byte[] PromptGrid(double guidance)
    {
        using var scope = NewDisposeScope();
        return LatentFigures.Grid(PromptRows(Prompts(), _config.SeedsPerPrompt, guidance, _config.SampleSteps), _config.SeedsPerPrompt, Scale);
    }

    private byte[] TrajectoryStrip()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        const int rows = 4;
        int T = _scheduler.TrainTimesteps, frames = _config.TrajectoryFrames;
        var capture = Enumerable.Range(0, frames - 1).Select(i => T - 1 - (int)Math.Round(i * (T - 1.0) / (frames - 1))).Distinct().ToList();
        var prompts = _config.Condition == DiffusionCondition.Caption ? Prompts().Take(rows).ToList() : null;
        int count = prompts?.Count ?? rows;
        using var generator = new Generator((ulong)(_seed + 11));
        var options = Options(prompts, _config.GuidanceScale) with { CaptureTimesteps = capture };
        using var samples = Sampler().Ddpm(ImageShape(count), generator, options, _device);
        var columns = samples.Trajectory.Select(f => DiffusionSampler.ToUnitInterval(f.Sample.clamp(-1, 1)))
            .Append(DiffusionSampler.ToUnitInterval(samples.Images)).ToList();                // frames × (B, C, H, W)
        var grid = stack(columns, 1).reshape(count * columns.Count, _images.Channels, _images.Size, _images.Size);   // (B·F, C, H, W)
        return LatentFigures.Grid(grid.cpu(), columns.Count, Scale);
    }

    private byte[] StepComparison()
    {
        using var scope = NewDisposeScope();
        const int columns = 8;
        var prompts = _config.Condition == DiffusionCondition.Caption
            ? Enumerable.Range(0, columns).Select(i => Prompts()[i % Prompts().Count]).ToList() : null;
        var rows = _config.CompareSteps.Select(steps => Ddim(columns, _seed + 3, steps, prompts, _config.GuidanceScale)).ToList();
        return LatentFigures.Rows(rows, Scale);
    }

    private byte[] ScheduleFigure()
    {
        var steps = Enumerable.Range(0, _scheduler.TrainTimesteps).Select(t => (double)t).ToList();
        var series = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
        foreach (var schedule in Enum.GetValues<BetaSchedule>())
        {
            var scheduler = schedule == _config.Scheduler.BetaSchedule ? _scheduler
                : new NoiseScheduler(_config.Scheduler with { BetaSchedule = schedule });
            string name = schedule == BetaSchedule.Linear ? "linear" : "squaredcos_cap_v2";
            series.Add(($"ᾱ_t {name}{(schedule == _config.Scheduler.BetaSchedule ? " (this run)" : "")}", steps, [.. scheduler.AlphasCumprod]));
        }
        return Charts.Lines("Noise schedule: signal left at step t", "step t", "ᾱ_t", series, []);
    }

    // ---- quality -----------------------------------------------------------------------------------------------

    /// <summary>A small classifier trained on the real images (cached) judges <c>quality_samples</c> samples.</summary>
    private object Quality(SectionBuilder section)
    {
        using var scope = NewDisposeScope();
        bool captioned = _config.Condition == DiffusionCondition.Caption;
        var cached = Judge();
        var classifier = cached.Model;

        int n = _config.QualitySamples;
        List<string>? intended = captioned ? [.. Enumerable.Range(0, n).Select(i => Prompts()[i % Prompts().Count])] : null;
        var batches = new List<Tensor>();
        long seeds = _seed + (TuningSeeds ? TuningSeedOffset : ReportSeedOffset);
        for (int start = 0; start < n; start += 128)
        {
            int count = Math.Min(128, n - start);
            batches.Add(Ddim(count, seeds + start, _config.SampleSteps, intended?.GetRange(start, count), _config.GuidanceScale));
        }
        var generated = cat(batches, 0);                                                     // (n, C, H, W)
        var real = _images.Val.shape[0] >= 2 ? _images.Val : _images.Train;
        var (secondReal, secondRealWhat) = SecondRealSet(n);                                 // (n, C, H, W)
        var report = SampleQuality.Measure(classifier, real, generated, intended, _config.ConfidenceThreshold, secondReal);

        // Memorisation: how close samples come to a training image, against how close unseen real images come.
        var (sampleDistance, nearestIndex) = NearestTraining.Find(generated, _images.Train);
        var (realDistance, _) = NearestTraining.Find(real, _images.Train);
        double sampleMedian = NearestTraining.Median(sampleDistance), realMedian = NearestTraining.Median(realDistance);
        const int shown = 8;
        using var nearestRows = tensor(nearestIndex.Take(shown).ToArray());
        var nearestFigure = LatentFigures.Rows([generated[TensorIndex.Slice(0, shown)], _images.Train.index_select(0, nearestRows)], Scale);

        string summary = $"{n} samples (DDIM {_config.SampleSteps} steps{(captioned ? $", guidance {F(_config.GuidanceScale)}" : "")}, "
            + $"sample seeds {seeds}…{seeds + n - 1}{(TuningSeeds ? ", the tuning set" : ", not the seeds the sampling settings were chosen on")}) "
            + $"judged by a small CNN trained on the real training images (validation accuracy {F(cached.Scores.ValAccuracy)}; "
            + $"{cached.Outcome.ToString().ToLowerInvariant()}): classified with confidence ≥ {F(report.ConfidenceThreshold)}: "
            + $"{F(report.ConfidentShare)} (real validation images: {F(report.RealConfidentShare)}); "
            + $"classes covered {report.ClassesCovered} of {report.ClassNames.Count}"
            + (report.MatchShare is { } m ? $"; classified as their prompt: {F(m)}" : "")
            + $"; FID-lite {F2(report.FidLite)} against {F2(report.FidLiteReal!.Value)} for {secondRealWhat} (its floor with this judge and {n} images).";
        var histogram = Charts.ClassHistogram("Classes of generated and real images", report.ClassNames,
            [("generated", report.Histogram), ("generated, confident", report.ConfidentHistogram), ("real", report.RealHistogram)]);
        section.Heading("Sample quality").Paragraph(summary).Note(report.Note)
            .Figure("quality-histogram.png", histogram, "Share of images per predicted class: a class missing from the generated bars is mode collapse.")
            .Heading("Memorisation check", level: 3)
            .Paragraph($"RMS pixel distance (0…1) from each sample to its nearest training image: median {F(sampleMedian)} over the {n} samples; "
                + $"median {F(realMedian)} for the {real.shape[0]} validation images, which the model never saw. Samples much closer to the "
                + "training set than unseen real images are would be copies.")
            .Figure("nearest-training.png", nearestFigure,
                $"Top: the first {shown} samples; bottom: the nearest training image of each (distances {string.Join(", ", sampleDistance.Take(shown).Select(F))}).");
        classifier.Dispose();
        return new
        {
            classifier_val_accuracy = cached.Scores.ValAccuracy, classifier_cache = cached.Outcome.ToString().ToLowerInvariant(),
            samples = n, sample_seeds = new[] { seeds, seeds + n - 1 }, tuning_seeds = TuningSeeds,
            confidence_threshold = report.ConfidenceThreshold, confident_share = report.ConfidentShare,
            real_confident_share = report.RealConfidentShare, classes = report.ClassNames, histogram = report.Histogram,
            classes_covered = report.ClassesCovered, classes_covered_share = (double)report.ClassesCovered / report.ClassNames.Count,
            fid_lite = report.FidLite, fid_lite_real = report.FidLiteReal, fid_lite_real_set = secondRealWhat,
            nearest_train_distance = sampleMedian, nearest_train_distance_real = realMedian,
            match_share = report.MatchShare, note = report.Note,
        };
    }

    /// <summary>The judge: a small CNN trained on the real training images' classes (caption, or drawer item, or
    /// label), cached by the data's description and the seed, so every use of this run's data gets the same one.</summary>
    internal CachedClassifier Judge()
    {
        string dataset = $"{_data.Source.ToString().ToLowerInvariant()} size={_data.Size} channels={_images.Channels} count={_data.CountPerItem} limit={_data.Limit} "
            + $"rotation={_data.MaxRotation.ToString(CultureInfo.InvariantCulture)} val_fraction={_data.ValFraction.ToString(CultureInfo.InvariantCulture)} "
            + $"path={_data.Path} digits={_data.Digits}";
        using (enable_grad())                              // report sections are written under no_grad
            return ClassifierCache.GetOrTrain(_cacheRoot, dataset, _seed, _images.Train, JudgeClasses(validation: false), _config.Classifier);
    }

    /// <summary>The judge's class of each training or validation image.</summary>
    internal string[] JudgeClasses(bool validation) => _config.Condition == DiffusionCondition.Caption
        ? [.. (validation ? _valCaption : _trainCaption).Select(i => _captions[i])]
        : validation ? ClassLabels(_images.ValLabels, _images.ValColors) : ClassLabels(_images.TrainLabels, _images.TrainColors);

    // ---- for the image-to-image experiments, which reuse a finished run (DiffusionRun) ---------------------------

    internal DiffusionExperimentConfig Config => _config;
    internal LabelledImages Images => _images;
    internal NoiseScheduler Scheduler => _scheduler;
    internal Device Device => _device;

    /// <summary>The EMA U-Net as a denoiser (x_t, t, cond) → ε̂, in eval mode; a conditional one gets its null
    /// condition when cond is null.</summary>
    internal Func<Tensor, Tensor, Tensor?, Tensor> EmaDenoiser()
    {
        _ema.Average.eval();
        return (x, t, c) => _ema.Average.call(x, t, c);
    }

    /// <summary>Real images independent of the validation set, as many as there are samples, for FID-lite's
    /// real-vs-real floor: freshly rendered ones (another seed) for the procedural sources; otherwise training images
    /// (which the judge was trained on: a slightly low floor, and the report says so).</summary>
    private (Tensor Images, string What) SecondRealSet(int n)
    {
        if (_data.Source is ImageSource.Drawer or ImageSource.Digits)
        {
            int classes = _data.Source == ImageSource.Drawer ? DrawerItem.All.Count : DigitImages.Labels.Count;
            var fresh = _data with { CountPerItem = n / classes + 1, Limit = 0 };
            var (images, _, _) = ImageDatasetLoader.Load(fresh, _seed + FreshRealSeedOffset);
            var order = Enumerable.Range(0, (int)images.shape[0]).Select(i => (long)i).ToList();
            SplitMix64.ForPurpose(_seed, "fresh-real").Shuffle(order);
            using var take = tensor(order.Take(n).ToArray());
            using (images) return (images.index_select(0, take), $"{n} freshly rendered real images");
        }
        var rows = LabelledImages.Rows(_images.Train.shape[0], SplitMix64.ForPurpose(_seed, "second-real"), n);
        using var index = tensor(rows);
        return (_images.Train.index_select(0, index), $"{n} training images (the judge saw them: a low floor)");
    }

    /// <summary>The classes the judge learns: drawer items by type and colour, everything else by label.</summary>
    private string[] ClassLabels(string[] labels, string[]? colors) =>
        _data.Source == ImageSource.Drawer ? Captions(labels, colors) : labels;

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _ema.Dispose();
        _model.Dispose();
        _images.Dispose();
    }
}
