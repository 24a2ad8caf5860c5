using System.Globalization;
using System.Text.Json;
using GenLab.Models.Images;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary>What the autoencoder and VAE labs say about a latent space: codes as arrays, the k-NN accuracy of the
/// label among them, the scatter plots, and image grids of decoder output.</summary>
internal static class LatentFigures
{
    /// <summary>Codes of all <paramref name="images"/>, 256 at a time.</summary>
    /// <param name="images">(N, C, H, W) on the CPU.</param>
    /// <param name="encode">(B, C, H, W) on <paramref name="device"/> → (B, L); its result is disposed here.</param>
    /// <returns>[N, L].</returns>
    public static double[,] Encode(Tensor images, Func<Tensor, Tensor> encode, Device device)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += 256)
            parts.Add(encode(images[TensorIndex.Slice(start, Math.Min(start + 256, images.shape[0]))].to(device)).cpu());
        var z = cat(parts, 0).to(ScalarType.Float32);                              // (N, L)
        int n = (int)z.shape[0], l = (int)z.shape[1];
        float[] flat = z.data<float>().ToArray();
        var result = new double[n, l];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < l; j++) result[i, j] = flat[i * l + j];
        return result;
    }

    /// <summary>Share of validation points whose k nearest training points (L2 in latent space) vote their label.</summary>
    public static double KnnAccuracy(double[,] train, IReadOnlyList<string> trainLabels, double[,] val, IReadOnlyList<string> valLabels, int k)
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

    /// <summary>The k-NN accuracies of the label (and colour), a paragraph on them appended to
    /// <paramref name="section"/>, and the scatter plots of the validation codes coloured by each — the start of both
    /// labs' latent-space section.</summary>
    public static LatentSummary Summarize(SectionBuilder section, double[,] trainLatent, double[,] valLatent, LabelledImages data, int k)
    {
        double typeAccuracy = KnnAccuracy(trainLatent, data.TrainLabels, valLatent, data.ValLabels, k);
        double? colorAccuracy = data.TrainColors is null ? null : KnnAccuracy(trainLatent, data.TrainColors, valLatent, data.ValColors!, k);
        int dims = trainLatent.GetLength(1);
        string chance = F(1.0 / data.TrainLabels.Distinct().Count());
        section.Raw($"<p>k-NN accuracy (k = {k}) of the label in the {dims}-D latent space, validation images "
            + $"classified by their nearest training images: <b>{F(typeAccuracy)}</b>{(colorAccuracy is { } c ? $"; of the colour: <b>{F(c)}</b>" : "")} "
            + $"(chance: {chance}).</p>\n",
            $"k-NN accuracy (k = {k}) of the label in the {dims}-D latent space, validation images classified by their nearest "
            + $"training images: **{F(typeAccuracy)}**{(colorAccuracy is { } c2 ? $"; of the colour: **{F(c2)}**" : "")} (chance: {chance}).\n\n");

        if (colorAccuracy is { } colour && Math.Abs(colour - typeAccuracy) > 0.2)
        {
            string kept = typeAccuracy > colour ? "the item type" : "the colour", lost = typeAccuracy > colour ? "the colour" : "the item type";
            string note = $"With {dims} latent numbers the model kept {kept} (k-NN {F(Math.Max(typeAccuracy, colour))}) "
                + $"and mostly dropped {lost} (k-NN {F(Math.Min(typeAccuracy, colour))}): the bottleneck keeps what changes the most pixels; "
                + "the decoded grid shows it.";
            section.Note(note);
        }
        var images = new List<(string, byte[])>();
        if (dims >= 2)
        {
            images.Add(("latent_label.png", Scatter("Latent space coloured by label", valLatent, data.ValLabels)));
            if (data.ValColors is not null) images.Add(("latent_color.png", Scatter("Latent space coloured by colour", valLatent, data.ValColors)));
        }
        return new LatentSummary(typeAccuracy, colorAccuracy, images);
    }

    /// <summary>Rows of images, one row per tensor, as one PNG upscaled by <paramref name="scale"/>.</summary>
    /// <param name="rows">(N, C, H, W) each, all of the same shape.</param>
    public static byte[] Rows(IReadOnlyList<Tensor> rows, int scale)
    {
        if (rows.Count == 0 || rows.Any(r => !r.shape.SequenceEqual(rows[0].shape)))
            throw new ArgumentException("rows must be one or more (N, C, H, W) tensors of the same shape", nameof(rows));
        using var scope = NewDisposeScope();
        return Grid(cat([.. rows.Select(r => r.cpu())], 0), (int)rows[0].shape[0], scale);
    }

    /// <summary>(N, C, H, W) images as a grid of <paramref name="columns"/> columns, upscaled by <paramref name="scale"/>.</summary>
    public static byte[] Grid(Tensor images, int columns, int scale)
    {
        using var scope = NewDisposeScope();
        var cpu = images.cpu();
        var pngs = Enumerable.Range(0, (int)cpu.shape[0]).Select(i => ImageData.FromTensor(cpu[i]).ToPng()).ToList();
        return ImageGrid.Render(pngs, columns, scale);
    }

    /// <summary>Categories in label order (legend 0, 1, 2, …), not in the order the shuffled images first show them.</summary>
    private static byte[] Scatter(string title, double[,] z, IReadOnlyList<string> labels) =>
        CategoryCharts.Scatter(title, "z₁", "z₂", [.. Enumerable.Range(0, labels.Count).OrderBy(i => labels[i], StringComparer.Ordinal)
            .Select(i => (labels[i], z[i, 0], z[i, 1], (string?)null))]);

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>See <see cref="LatentFigures.Summarize"/>: the two accuracies and the (file name, PNG) scatter plots.</summary>
internal sealed record LatentSummary(double LabelAccuracy, double? ColorAccuracy, IReadOnlyList<(string FileName, byte[] Png)> Images);
