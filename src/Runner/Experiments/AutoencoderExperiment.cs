using System.Globalization;
using System.Text;
using System.Text.Json;
using GenLab.Models.Autoencoders;
using GenLab.Models.Data;
using GenLab.Models.Drawer;
using GenLab.Models.Images;
using GenLab.Reports.Figures;
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
public sealed class AutoencoderExperiment : ITrainableExperiment, IWritesReportSections, IChecksExpectations
{
    public const string ResultsFile = "autoencoder.json";

    private readonly Autoencoder _model;
    private readonly Tensor _train;                 // (N, C, H, W)
    private readonly Tensor _val;                   // (M, C, H, W)
    private readonly string[] _trainLabels, _valLabels;
    private readonly string[]? _trainColors, _valColors;
    private readonly AutoencoderExperimentConfig _config;
    private readonly Device _device;
    private readonly long _seed;

    public AutoencoderExperiment(ExperimentConfig config, Device device)
    {
        var data = config.DataAs<ImageDatasetConfig>();
        _config = config.ModelAs<AutoencoderExperimentConfig>();
        _device = device;
        _seed = config.Seed;
        var (images, labels, colors) = ImageDatasetLoader.Load(data, config.Seed);  // (N, C, H, W)
        int n = (int)images.shape[0];
        int valCount = Math.Clamp((int)Math.Round(n * data.ValFraction), 1, n - 1);
        var order = Enumerable.Range(0, n).ToList();
        SplitMix64.ForPurpose(config.Seed, "split").Shuffle(order);
        using (var trainIndex = tensor(order.Skip(valCount).Select(i => (long)i).ToArray()))
        using (var valIndex = tensor(order.Take(valCount).Select(i => (long)i).ToArray()))
        {
            _train = images.index_select(0, trainIndex);
            _val = images.index_select(0, valIndex);
        }
        images.Dispose();
        _trainLabels = [.. order.Skip(valCount).Select(i => labels[i])];
        _valLabels = [.. order.Take(valCount).Select(i => labels[i])];
        if (colors is not null)
        {
            _trainColors = [.. order.Skip(valCount).Select(i => colors[i])];
            _valColors = [.. order.Take(valCount).Select(i => colors[i])];
        }
        _model = new Autoencoder(_config.Network, (int)_train.shape[1], (int)_train.shape[2]);
        _model.to(device);
    }

    public nn.Module Model => _model;

    public long TokensPerBatch(int batchSize) => batchSize;

    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var x = Batch(_train, batches, batchSize).to(_device);                    // (B, C, H, W)
        return Autoencoder.ReconstructionLoss(_model.call(x), x);                  // ()
    }

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss(_train, batches, batchSize, "eval-train")),
        ("val", "loss", MeanLoss(_val, batches, batchSize, "eval-val")),
    ];

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed) => [];

    public void SaveArtifacts(string directory) { }

    public void WriteSections(string runDirectory, long step)
    {
        var trainLatent = Latents(_train);                                         // (N, L)
        var valLatent = Latents(_val);                                             // (M, L)
        double typeAccuracy = KnnAccuracy(trainLatent, _trainLabels, valLatent, _valLabels, _config.KnnK);
        double? colorAccuracy = _trainColors is null ? null : KnnAccuracy(trainLatent, _trainColors, valLatent, _valColors!, _config.KnnK);
        var images = new List<(string, byte[])>();
        var html = new StringBuilder($"<h2>Latent space (step {step})</h2>\n");
        var md = new StringBuilder($"## Latent space (step {step})\n\n");
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        html.Append($"<p>k-NN accuracy (k = {_config.KnnK}) of the label in the {trainLatent.GetLength(1)}-D latent space, validation images "
            + $"classified by their nearest training images: <b>{F(typeAccuracy)}</b>{(colorAccuracy is { } c ? $"; of the colour: <b>{F(c)}</b>" : "")} "
            + $"(chance: {F(1.0 / _trainLabels.Distinct().Count())}).</p>\n");
        md.Append($"k-NN accuracy (k = {_config.KnnK}) of the label in the latent space: **{F(typeAccuracy)}**"
            + $"{(colorAccuracy is { } c2 ? $"; of the colour: **{F(c2)}**" : "")} (chance: {F(1.0 / _trainLabels.Distinct().Count())}).\n\n");

        if (colorAccuracy is { } colour && Math.Abs(colour - typeAccuracy) > 0.2)
        {
            string kept = typeAccuracy > colour ? "the item type" : "the colour", lost = typeAccuracy > colour ? "the colour" : "the item type";
            string note = $"With {trainLatent.GetLength(1)} latent numbers the autoencoder kept {kept} (k-NN {F(Math.Max(typeAccuracy, colour))}) "
                + $"and mostly dropped {lost} (k-NN {F(Math.Min(typeAccuracy, colour))}): the bottleneck keeps what changes the most pixels; "
                + "the decoded grid shows it.";
            html.Append($"<p class=\"note\">{System.Net.WebUtility.HtmlEncode(note)}</p>\n");
            md.Append($"> {note}\n\n");
        }
        if (trainLatent.GetLength(1) >= 2)
        {
            images.Add(("latent_label.png", Scatter("Latent space coloured by label", valLatent, _valLabels)));
            if (_valColors is not null) images.Add(("latent_color.png", Scatter("Latent space coloured by colour", valLatent, _valColors)));
        }
        images.Add(("reconstructions.png", Reconstructions()));
        if (trainLatent.GetLength(1) == 2) images.Add(("latent_grid.png", DecodedGrid(valLatent)));
        foreach (var (name, _) in images)
        {
            html.Append($"<img alt=\"{name}\" src=\"{name}\">\n");
            md.Append($"![{name}]({name})\n\n");
        }
        ReportSections.Write(runDirectory, 10, "latent", html.ToString(), md.ToString(), images);
        ResultsJson.Write(Path.Combine(runDirectory, ResultsFile),
            new { step, knn_k = _config.KnnK, label_knn_accuracy = typeAccuracy, color_knn_accuracy = colorAccuracy });
    }

    /// <summary>Judged on the accuracy the final checkpoint's <see cref="WriteSections"/> computed.</summary>
    public IReadOnlyList<string> FailedExpectations(string runDirectory)
    {
        if (_config.ExpectLabelKnnAccuracy is not { } expected) return [];
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDirectory, ResultsFile)));
        double accuracy = results.RootElement.GetProperty("label_knn_accuracy").GetDouble();
        return accuracy >= expected ? [] : [$"label k-NN accuracy in latent space {accuracy:F3} < expected {expected:F3}"];
    }

    private double MeanLoss(Tensor data, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var x = Batch(data, rng, batchSize).to(_device);
            total += Autoencoder.ReconstructionLoss(_model.call(x), x).item<float>();
        }
        return total / batches;
    }

    private static Tensor Batch(Tensor data, SplitMix64 rng, int batchSize)
    {
        var rows = new long[batchSize];
        for (int i = 0; i < batchSize; i++) rows[i] = rng.NextInt64(data.shape[0]);
        using var index = tensor(rows);
        return data.index_select(0, index);                                        // (B, C, H, W)
    }

    private double[,] Latents(Tensor data)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < data.shape[0]; start += 256)
            parts.Add(_model.Encode(data[TensorIndex.Slice(start, Math.Min(start + 256, data.shape[0]))].to(_device)).cpu());
        var z = cat(parts, 0);                                                     // (N, L)
        int n = (int)z.shape[0], l = (int)z.shape[1];
        float[] flat = z.data<float>().ToArray();
        var result = new double[n, l];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < l; j++) result[i, j] = flat[i * l + j];
        return result;
    }

    /// <summary>Share of validation points whose k nearest training points (L2 in latent space) vote their label.</summary>
    internal static double KnnAccuracy(double[,] train, IReadOnlyList<string> trainLabels, double[,] val, IReadOnlyList<string> valLabels, int k)
    {
        int correct = 0, dims = train.GetLength(1);
        for (int v = 0; v < val.GetLength(0); v++)
        {
            var nearest = Enumerable.Range(0, train.GetLength(0))
                .Select(t =>
                {
                    double d = 0;
                    for (int j = 0; j < dims; j++) d += (train[t, j] - val[v, j]) * (train[t, j] - val[v, j]);
                    return (t, d);
                })
                .OrderBy(p => p.d).ThenBy(p => p.t).Take(k);
            string vote = nearest.GroupBy(p => trainLabels[p.t]).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(p => p.d)).First().Key;
            if (vote == valLabels[v]) correct++;
        }
        return (double)correct / val.GetLength(0);
    }

    private static byte[] Scatter(string title, double[,] z, IReadOnlyList<string> labels) =>
        CategoryCharts.Scatter(title, "z₁", "z₂", [.. Enumerable.Range(0, labels.Count).Select(i => (labels[i], z[i, 0], z[i, 1], (string?)null))]);

    /// <summary>First row: 12 validation images; second row: their reconstructions.</summary>
    private byte[] Reconstructions()
    {
        using var scope = NewDisposeScope();
        int count = (int)Math.Min(12, _val.shape[0]);
        var x = _val[TensorIndex.Slice(0, count)];
        var y = _model.call(x.to(_device)).cpu();
        var pngs = new List<byte[]>();
        for (int i = 0; i < count; i++) pngs.Add(ImageData.FromTensor(x[i]).ToPng());
        for (int i = 0; i < count; i++) pngs.Add(ImageData.FromTensor(y[i]).ToPng());
        return ImageGrid.Render(pngs, count, 3);
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
        var decoded = _model.Decode(tensor(points.ToArray(), [side * side, 2]).to(_device)).cpu();   // (100, C, H, W)
        var pngs = Enumerable.Range(0, side * side).Select(i => ImageData.FromTensor(decoded[i]).ToPng()).ToList();
        return ImageGrid.Render(pngs, side, 2);
    }

    public void Dispose()
    {
        _model.Dispose();
        _train.Dispose();
        _val.Dispose();
    }
}
