using GenLab.Models.Autoencoders;
using GenLab.Models.Data;
using GenLab.Models.Images;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: autoencoder</c> — an encoder squeezes each image through a small bottleneck (2 numbers by
/// default) and a decoder rebuilds it; the bottleneck is a latent space we can draw. Trained on drawer images (or an
/// IDX file or an image folder) through the shared training loop. At every checkpoint the report gets the latent
/// scatter coloured by label, a reconstruction grid, the decoded grid of latent points (Foster, ch. 3) and the k-NN
/// accuracy of the label in latent space.</summary>
public sealed class AutoencoderExperiment : ITrainableExperiment, IWritesReportSections
{
    public const string ResultsFile = "autoencoder.json";

    private readonly Autoencoder _model;
    private readonly LabelledImages _data;
    private readonly AutoencoderExperimentConfig _config;
    private readonly Device _device;
    private readonly long _seed;

    public AutoencoderExperiment(ExperimentConfig config, Device device)
    {
        _config = config.ModelAs<AutoencoderExperimentConfig>();
        _device = device;
        _seed = config.Seed;
        _data = LabelledImages.Load(config.DataAs<ImageDatasetConfig>(), config.Seed);
        _model = new Autoencoder(_config.Network, _data.Channels, _data.Size);
        _model.to(device);
    }

    public nn.Module Model => _model;

    public long TokensPerBatch(int batchSize) => batchSize;

    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var x = LabelledImages.Batch(_data.Train, batches, batchSize).to(_device);   // (B, C, H, W)
        return Autoencoder.ReconstructionLoss(_model.call(x), x);                    // ()
    }

    public bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => LabelledImages.BatchHasNonFinite(_data.Train, batches, batchSize);

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss(_data.Train, batches, batchSize, "eval-train")),
        ("val", "loss", MeanLoss(_data.Val, batches, batchSize, "eval-val")),
    ];

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

    public void SaveArtifacts(string directory) { }

    public void WriteSections(string runDirectory, long step)
    {
        var trainLatent = LatentFigures.Encode(_data.Train, _model.Encode, _device);   // [N, L]
        var valLatent = LatentFigures.Encode(_data.Val, _model.Encode, _device);       // [M, L]
        var section = new SectionBuilder().Heading($"Latent space (step {step})");
        var summary = LatentFigures.Summarize(section, trainLatent, valLatent, _data, _config.KnnK);
        foreach (var (name, png) in summary.Images) section.Figure(name, png);
        section.Figure("reconstructions.png", Reconstructions(), "Top row: validation images; bottom row: decoded from their codes.");
        if (trainLatent.GetLength(1) == 2)
            section.Figure("latent_grid.png", DecodedGrid(valLatent), "Decoded 10 × 10 grid spanning the validation codes' range (z₂ largest at the top).");
        section.Write(runDirectory, 10, "latent");
        ResultsJson.Write(Path.Combine(runDirectory, ResultsFile),
            new { step, knn_k = _config.KnnK, label_knn_accuracy = summary.LabelAccuracy, color_knn_accuracy = summary.ColorAccuracy });
    }

    /// <summary>The accuracy the final checkpoint's <see cref="WriteSections"/> computed.</summary>
    public IReadOnlyDictionary<string, double> Results(string runDirectory) =>
        ResultsJson.Numbers(Path.Combine(runDirectory, ResultsFile), ("label_knn_accuracy", "label_knn_accuracy"));

    private double MeanLoss(Tensor data, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var x = LabelledImages.Batch(data, rng, batchSize).to(_device);
            total += Autoencoder.ReconstructionLoss(_model.call(x), x).item<float>();
        }
        return total / batches;
    }

    /// <summary>First row: 12 validation images; second row: their reconstructions.</summary>
    private byte[] Reconstructions()
    {
        using var scope = NewDisposeScope();
        var x = _data.Val[TensorIndex.Slice(0, Math.Min(12, _data.Val.shape[0]))];
        return LatentFigures.Rows([x, _model.call(x.to(_device))], 3);
    }

    /// <summary>Decoded images of a 10×10 grid of latent points spanning the validation latents (Foster's figure 3-11).</summary>
    private byte[] DecodedGrid(double[,] z)
    {
        using var scope = NewDisposeScope();
        const int side = 10;
        double Min(int j) => Enumerable.Range(0, z.GetLength(0)).Min(i => z[i, j]);
        double Max(int j) => Enumerable.Range(0, z.GetLength(0)).Max(i => z[i, j]);
        var points = new List<float>();
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
            {
                points.Add((float)(Min(0) + (Max(0) - Min(0)) * c / (side - 1)));
                points.Add((float)(Max(1) - (Max(1) - Min(1)) * r / (side - 1)));       // top row = largest z₂
            }
        var decoded = _model.Decode(tensor(points.ToArray(), [side * side, 2]).to(_device));   // (100, C, H, W)
        return LatentFigures.Grid(decoded, side, 2);
    }

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }
}
