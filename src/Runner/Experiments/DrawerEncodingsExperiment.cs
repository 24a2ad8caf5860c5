using System.Globalization;
using System.Text.Json;
using GenLab.Models.Drawer;
using GenLab.Models.Embeddings;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: drawer_encodings</c> — the lecture's drawer of 16 school items (4 types × 4 colours) encoded two
/// ways: a direct mapping (one-hot, 16 dimensions) and by concept (type ‖ colour, 8 dimensions). Under each distance
/// the 16×16 matrix is drawn as a heatmap, and the mean distance of pairs that share a type, share a colour, or share
/// nothing is computed: with one-hot every pair is equally far apart; the factored code puts related items closer.</summary>
public sealed class DrawerEncodingsExperiment(ExperimentConfig config) : IAnalysisExperiment
{
    public const string ResultsFile = "drawer_encodings.json";

    public sealed record PairMeans(string Encoding, string Distance, int Dimensions, double SameType, double SameColor, double Unrelated)
    {
        /// <summary>The lecture's point, measured: related items are strictly closer than unrelated ones.</summary>
        public bool RelatedCloser => SameType < Unrelated - 1e-9 && SameColor < Unrelated - 1e-9;
    }

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var model = config.ModelAs<DrawerEncodingsConfig>();
        var items = DrawerItem.All;
        string[] labels = [.. items.Select(i => i.Name)];
        var results = new List<PairMeans>();
        double oneHotSpread = 0;
        var images = new List<(string, byte[])>();
        foreach (var (encoding, build) in new (string, Func<Tensor>)[] { ("one-hot", DrawerEncodings.OneHot), ("factored", DrawerEncodings.Factored) })
        {
            using var scope = NewDisposeScope();
            var vectors = build();                                                   // (16, D)
            foreach (var distance in model.Distances)
            {
                stop.ThrowIfCancellationRequested();
                var matrix = Similarities.Pairwise(vectors, vectors, distance);      // (16, 16)
                double[,] values = ToArray(matrix);
                if (encoding == "one-hot") oneHotSpread = Math.Max(oneHotSpread, OffDiagonalSpread(values));
                var means = Means(encoding, distance, (int)vectors.shape[1], values, items);
                results.Add(means);
                string name = $"{encoding}_{distance.ToString().ToLowerInvariant()}.png";
                images.Add((name, CategoryCharts.Heatmap($"{encoding} ({vectors.shape[1]} dims): {Describe(distance)}", labels, values, Describe(distance))));
                logger.LogInformation("{Encoding,-8} {Distance,-6} same type {Type:F3}  same colour {Color:F3}  unrelated {Unrelated:F3}",
                    encoding, distance, means.SameType, means.SameColor, means.Unrelated);
            }
        }
        ResultsJson.Write(folder.File(ResultsFile), results);
        WriteSection(folder.Path, results, images, model);
        var factored = results.Where(r => r.Encoding == "factored").ToList();
        return new Dictionary<string, double>
        {
            ["onehot_spread"] = oneHotSpread,
            ["factored_related_closer"] = (double)factored.Count(r => r.RelatedCloser) / factored.Count,
        };
    }

    /// <summary>Largest minus smallest distance between two different items.</summary>
    private static double OffDiagonalSpread(double[,] d)
    {
        var off = new List<double>();
        for (int a = 0; a < d.GetLength(0); a++)
            for (int b = 0; b < d.GetLength(1); b++)
                if (a != b) off.Add(d[a, b]);
        return off.Max() - off.Min();
    }

    private static string Describe(Distance d) => d switch
    {
        Distance.L1 => "L1 distance",
        Distance.L2 => "L2 distance",
        _ => "cosine distance (1 − cos)",
    };

    private static double[,] ToArray(Tensor matrix)
    {
        int n = (int)matrix.shape[0];
        float[] flat = matrix.to_type(ScalarType.Float32).data<float>().ToArray();
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) values[r, c] = Math.Round(flat[r * n + c], 6);
        return values;
    }

    private static PairMeans Means(string encoding, Distance distance, int dims, double[,] d, IReadOnlyList<DrawerItem> items)
    {
        var sameType = new List<double>();
        var sameColor = new List<double>();
        var unrelated = new List<double>();
        for (int a = 0; a < items.Count; a++)
            for (int b = a + 1; b < items.Count; b++)
            {
                var list = items[a].Type == items[b].Type ? sameType : items[a].Color == items[b].Color ? sameColor : unrelated;
                list.Add(d[a, b]);
            }
        return new PairMeans(encoding, distance.ToString().ToLowerInvariant(), dims, sameType.Average(), sameColor.Average(), unrelated.Average());
    }

    private static void WriteSection(string runDir, List<PairMeans> results, List<(string Name, byte[] Png)> images, DrawerEncodingsConfig model)
    {
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var section = new SectionBuilder().Heading("Direct mapping vs grouping by concept")
            .Paragraph("16 items (4 types × 4 colours). One-hot gives each item its own axis (16 numbers, all pairs equally far); "
                + "the factored code describes an item by its type and its colour (8 numbers), so items that share one are closer.")
            .Table(["encoding", "dims", "distance", "same type", "same colour", "unrelated", "related closer?"],
                results.Select(r => (IReadOnlyList<TableCell>)[r.Encoding, r.Dimensions.ToString(), r.Distance, F(r.SameType), F(r.SameColor),
                    F(r.Unrelated), r.RelatedCloser ? "yes" : "no"]),
                numeric: [false, true, false, true, true, true, false]);
        foreach (var (name, png) in images) section.Figure(name, png);
        section.Write(runDir, 10, "encodings");
    }
}
