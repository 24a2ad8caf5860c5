using System.Globalization;
using GenLab.Models.Data;
using GenLab.Models.Images;
using GenLab.Models.Vae;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: vae</c> — a variational autoencoder (Foster, Generative Deep Learning 2nd ed., ch. 3) on digits,
/// drawer items, an IDX file or an image folder, through the shared training loop. Evaluation reports the loss and its
/// two parts (reconstruction and KL, nats per image). At every checkpoint the report gets the latent space (the means
/// μ of the validation images, coloured by label, with the k-NN accuracy of the label), reconstructions, samples
/// decoded from the prior N(0, I), the decoded grid over the prior's quantiles and interpolations between images —
/// the figures that show the VAE's latent space, unlike the plain autoencoder's, is one to sample from.</summary>
public sealed class VaeExperiment : ITrainableExperiment, IWritesReportSections
{
    public const string ResultsFile = "vae.json";
    private const int Columns = 12;            // images per row in every figure
    private const int GridSide = 12;           // the decoded latent grid is GridSide × GridSide

    private readonly Vae _model;
    private readonly LabelledImages _data;
    private readonly VaeExperimentConfig _config;
    private readonly ImageDatasetConfig _dataConfig;
    private readonly Device _device;
    private readonly long _seed;

    public VaeExperiment(ExperimentConfig config, Device device)
    {
        _config = config.ModelAs<VaeExperimentConfig>();
        _dataConfig = config.DataAs<ImageDatasetConfig>();
        _device = device;
        _seed = config.Seed;
        _data = LabelledImages.Load(_dataConfig, config.Seed);
        _model = new Vae(_config.Network, _data.Channels, _data.Size);
        _model.to(device);
    }

    public nn.Module Model => _model;

    public long TokensPerBatch(int batchSize) => batchSize;

    /// <summary>ε comes from torch's global generator, whose state every checkpoint saves, so a resumed run draws the
    /// same ε as an uninterrupted one.</summary>
    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var x = LabelledImages.Batch(_data.Train, batches, batchSize).to(_device);   // (B, C, H, W)
        return _model.Loss(x).Total;                                                 // ()
    }

    public bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => LabelledImages.BatchHasNonFinite(_data.Train, batches, batchSize);

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize)
    {
        var rows = new List<(string, string, double)>();
        foreach (var (split, data) in new[] { ("train_eval", _data.Train), ("val", _data.Val) })
        {
            var (loss, reconstruction, kl) = MeanLoss(data, batches, batchSize, $"eval-{split}");
            rows.Add((split, "loss", loss));
            rows.Add((split, "reconstruction_loss", reconstruction));
            rows.Add((split, "kl_loss", kl));
        }
        return rows;
    }

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

    public void SaveArtifacts(string directory) { }

    public void WriteSections(string runDirectory, long step)
    {
        var trainMean = LatentFigures.Encode(_data.Train, x => _model.Encode(x).Mean, _device);   // [N, L]
        var valMean = LatentFigures.Encode(_data.Val, x => _model.Encode(x).Mean, _device);       // [M, L]
        var section = new SectionBuilder().Heading($"VAE latent space (step {step})");
        var summary = LatentFigures.Summarize(section, trainMean, valMean, _data, _config.KnnK);
        double[] klPerDim = KlPerDimension();
        int latent = _model.LatentDim;
        var images = new List<(string Name, string Caption)>();
        section.Paragraph($"Mean KL per latent dimension on the validation images (nats): "
            + string.Join(", ", klPerDim.Select((kl, j) => $"z{j + 1} {kl.ToString("0.00", CultureInfo.InvariantCulture)}"))
            + ". A dimension near 0 carries no information: its q(z|x) is the prior for every image.");
        foreach (var (name, _) in summary.Images)
            images.Add((name, latent > 2 ? "Means μ of the validation images (first two dimensions)." : "Means μ of the validation images."));
        if (latent >= 2)
            images.Add(("latent_grid.png", $"Decoded grid over the prior: z₁, z₂ at the standard-normal quantiles 5% … 95% "
                + $"({GridSide} each, z₂ largest at the top), as Foster's figure of the VAE's latent space"
                + (latent > 2 ? $"; z₃ onwards at 0 (the prior's mean): a slice through the {latent}-D space." : ".")));
        images.Add(("reconstructions.png", "Top row: validation images; bottom row: decoded from their means μ."));
        images.Add(("prior_samples.png", "New images: z drawn from the prior N(0, I) and decoded (the same z at every checkpoint)."));
        images.Add(("interpolation.png", "Each row: a validation image, 10 decodings along the straight line between its μ and the μ "
            + "of a validation image with another label, and that image."));

        var pngs = new Dictionary<string, byte[]>(summary.Images.Select(i => KeyValuePair.Create(i.FileName, i.Png)))
        {
            ["reconstructions.png"] = Reconstructions(),
            ["prior_samples.png"] = PriorSamples(),
        };
        if (latent >= 2) pngs["latent_grid.png"] = DecodedGrid();
        if (Interpolations(valMean) is { } strip) pngs["interpolation.png"] = strip;
        else images.RemoveAll(i => i.Name == "interpolation.png");        // a single validation image
        foreach (var (name, caption) in images) section.Figure(name, pngs[name], caption);
        section.Write(runDirectory, 10, "vae");
        ResultsJson.Write(Path.Combine(runDirectory, ResultsFile), new
        {
            step, knn_k = _config.KnnK, label_knn_accuracy = summary.LabelAccuracy, color_knn_accuracy = summary.ColorAccuracy,
            kl_per_dimension = klPerDim,
            digit_faces = _dataConfig.Source == ImageSource.Digits ? DigitImages.Faces(_dataConfig.Digits?.Fonts ?? []).Select(f => f.Name).ToArray() : null,
        });
    }

    /// <summary>The accuracy the final checkpoint's <see cref="WriteSections"/> computed.</summary>
    public IReadOnlyDictionary<string, double> Results(string runDirectory) =>
        ResultsJson.Numbers(Path.Combine(runDirectory, ResultsFile), ("label_knn_accuracy", "label_knn_accuracy"));

    /// <summary>Mean loss and parts over fixed batches with fixed ε: both the batches and the generator of ε are seeded
    /// by <paramref name="purpose"/> alone, so every evaluation sees the same draws and none touches the training RNG.</summary>
    private (double Loss, double Reconstruction, double Kl) MeanLoss(Tensor data, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);
        using var generator = new Generator(SplitMix64.ForPurpose(_seed, purpose + "-epsilon").NextUInt64(), _device);
        double loss = 0, reconstruction = 0, kl = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var x = LabelledImages.Batch(data, rng, batchSize).to(_device);          // (B, C, H, W)
            var parts = _model.Loss(x, generator);
            loss += parts.Total.item<float>();
            reconstruction += parts.Reconstruction.item<float>();
            kl += parts.Kl.item<float>();
        }
        return (loss / batches, reconstruction / batches, kl / batches);
    }

    /// <summary>KL(q(zⱼ|x) ‖ N(0, 1)) per latent dimension j, averaged over the validation images.</summary>
    private double[] KlPerDimension()
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < _data.Val.shape[0]; start += 256)
        {
            var (mean, logVar) = _model.Encode(_data.Val[TensorIndex.Slice(start, Math.Min(start + 256, _data.Val.shape[0]))].to(_device));
            parts.Add(-0.5 * (1 + logVar - mean.square() - logVar.exp()));         // (b, L)
        }
        return [.. cat(parts, 0).mean([0]).cpu().data<float>().ToArray().Select(v => (double)v)];   // (L)
    }

    /// <summary>Validation images over their reconstructions, decoded from μ (the most likely code, no sampling noise).</summary>
    private byte[] Reconstructions()
    {
        using var scope = NewDisposeScope();
        var x = _data.Val[TensorIndex.Slice(0, Math.Min(Columns, _data.Val.shape[0]))].to(_device);   // (n, C, H, W)
        return LatentFigures.Rows([x, _model.Decode(_model.Encode(x).Mean)], 3);
    }

    /// <summary>3 rows of z ~ N(0, I), decoded; the generator is seeded by the run's seed alone.</summary>
    private byte[] PriorSamples()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(SplitMix64.ForPurpose(_seed, "prior-samples").NextUInt64(), _device);
        var z = randn([3 * Columns, _model.LatentDim], device: _device, generator: generator);   // (36, L)
        return LatentFigures.Grid(_model.Decode(z), Columns, 2);
    }

    /// <summary>Decoded z over a GridSide × GridSide grid of standard-normal quantiles Φ⁻¹(p), p = 0.05 … 0.95, in
    /// z₁ and z₂ (other dimensions 0): equal prior probability between neighbouring columns, the central 90% of N(0, 1)
    /// along each axis.</summary>
    private byte[] DecodedGrid()
    {
        using var scope = NewDisposeScope();
        var quantiles = special.ndtri(linspace(0.05, 0.95, GridSide, dtype: ScalarType.Float64));   // (G)
        var q = quantiles.data<double>().ToArray();
        int latent = _model.LatentDim;
        var points = new float[GridSide * GridSide * latent];
        for (int r = 0; r < GridSide; r++)
            for (int c = 0; c < GridSide; c++)
            {
                points[(r * GridSide + c) * latent] = (float)q[c];
                points[(r * GridSide + c) * latent + 1] = (float)q[GridSide - 1 - r];             // top row = largest z₂
            }
        var decoded = _model.Decode(tensor(points, [GridSide * GridSide, latent]).to(_device));     // (G², C, H, W)
        return LatentFigures.Grid(decoded, GridSide, 2);
    }

    /// <summary>Up to 3 rows: validation image a, decodings of (1 − t)·μₐ + t·μ_b for 10 t from 0 to 1, and image b —
    /// b the next validation image with another label than a (the next image at all when every label is the same).</summary>
    private byte[]? Interpolations(double[,] valMean)
    {
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        int n = (int)_data.Val.shape[0], a = 0;
        while (rows.Count < 3 && a < n - 1)
        {
            int b = Enumerable.Range(a + 1, n - a - 1).FirstOrDefault(i => _data.ValLabels[i] != _data.ValLabels[a], a + 1);
            var za = tensor(Enumerable.Range(0, _model.LatentDim).Select(j => (float)valMean[a, j]).ToArray());   // (L)
            var zb = tensor(Enumerable.Range(0, _model.LatentDim).Select(j => (float)valMean[b, j]).ToArray());   // (L)
            var t = linspace(0, 1, Columns - 2).unsqueeze(1);                                     // (10, 1)
            var z = (1 - t) * za + t * zb;                                                        // (10, L)
            var decoded = _model.Decode(z.to(_device)).cpu();                                     // (10, C, H, W)
            rows.Add(cat([_data.Val[TensorIndex.Slice(a, a + 1)], decoded, _data.Val[TensorIndex.Slice(b, b + 1)]], 0));   // (12, C, H, W)
            a = b + 1;
        }
        return rows.Count == 0 ? null : LatentFigures.Rows(rows, 2);
    }

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }
}
