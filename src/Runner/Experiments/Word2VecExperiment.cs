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

/// <summary><c>kind: word2vec</c> — static embeddings (Mikolov et al. 2013): words that occur in the same contexts end
/// up close. Trains on the drawer's synthetic corpus (or any text file), then reports a 2-D PCA of the vocabulary by
/// category, nearest neighbours under L1, L2 and cosine, analogies, and the share of colour (and type) words whose
/// nearest neighbours are colours (types) — the lecture's claim, measured.</summary>
public sealed class Word2VecExperiment(ExperimentConfig config) : IAnalysisExperiment
{
    public const string ResultsFile = "word2vec.json";
    public const string VectorsFile = "vectors.txt";

    public sealed record Neighbours(string Word, string Distance, IReadOnlyList<(string Word, double Distance)> Nearest);
    public sealed record AnalogyResult(string A, string B, string C, string? Expected, IReadOnlyList<string> Answers, bool Correct);
    public sealed record Results(int Vocabulary, long Words, double Seconds, double WordsPerSecond, double? ColorNeighbourShare,
        double? TypeNeighbourShare, IReadOnlyList<AnalogyResult> Analogies);

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var data = config.DataAs<Word2VecDataConfig>();
        var model = config.ModelAs<Word2VecExperimentConfig>();
        IReadOnlyList<string[]> sentences = data.Path is { } path
            ? DrawerCorpus.ReadSentences(path)
            : [.. DrawerCorpus.Generate(data.Sentences, config.Seed).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

        using var metrics = new MetricsLog(folder.Metrics);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long step = 0;
        using var w2v = Word2VecModel.Train(sentences, model.Word2vec, config.Seed, p =>
        {
            step++;
            if (!double.IsFinite(p.Loss)) return;        // the first report comes before any batch has a loss
            metrics.Add(new MetricRow(step, "train", "loss", p.Loss, clock.Elapsed.TotalSeconds));
            metrics.Add(new MetricRow(step, "train", "lr", p.Alpha, clock.Elapsed.TotalSeconds));
            metrics.Add(new MetricRow(step, "perf", "words_per_s", p.WordsPerSecond, clock.Elapsed.TotalSeconds));
        }, stop);
        double seconds = clock.Elapsed.TotalSeconds;
        using (var finite = w2v.Vectors.isfinite().all())
            if (!finite.item<bool>())
                throw new InvalidDataException("model.word2vec: training diverged (vectors became NaN/Inf); lower alpha"
                    + (model.Word2vec.Trainer == Word2VecTrainer.Torch
                        ? " or batch_size (a small vocabulary repeats words within a batch, and their summed updates grow with the batch)"
                        : ""));
        long totalWords = sentences.Sum(s => (long)s.Length) * model.Word2vec.Epochs;
        w2v.SaveText(folder.File(VectorsFile));
        logger.LogInformation("trained on {Words:N0} words in {Seconds:F2} s ({Rate:N0} words/s), vocabulary {Vocabulary}",
            totalWords, seconds, totalWords / seconds, w2v.Vocabulary.Words.Count);

        var words = w2v.Vocabulary.Words;
        var index = words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        var colors = DrawerCorpus.ColorWords.Where(index.ContainsKey).ToList();
        var types = DrawerCorpus.TypeWords.Where(index.ContainsKey).ToList();
        double? colorShare = Share(w2v.Vectors, colors, index, model.Neighbours);
        double? typeShare = Share(w2v.Vectors, types, index, model.Neighbours);

        var probes = model.Probes.Count > 0 ? model.Probes.Where(index.ContainsKey).ToList() : [.. colors.Take(4), .. types.Take(4)];
        var tables = new List<Neighbours>();
        foreach (string word in probes)
            foreach (var distance in new[] { Distance.Cosine, Distance.L2, Distance.L1 })
                tables.Add(new Neighbours(word, distance.ToString().ToLowerInvariant(),
                    [.. Similarities.Nearest(w2v.Vectors[index[word]], w2v.Vectors, 5, distance, new HashSet<int> { index[word] })
                        .Select(n => (words[n.Index], n.Distance))]));

        var analogies = new List<AnalogyResult>();
        foreach (var a in model.Analogies)
        {
            if (a.Count < 3 || a.Take(3).Any(w => !index.ContainsKey(w))) continue;
            var answers = Similarities.Analogy(w2v.Vectors, index[a[0]], index[a[1]], index[a[2]], 3, Distance.Cosine).Select(n => words[n.Index]).ToList();
            string? answer = a.Count > 3 ? a[3] : null;
            analogies.Add(new AnalogyResult(a[0], a[1], a[2], answer, answers, answer is not null && answers.Contains(answer)));
        }

        var results = new Results(words.Count, totalWords, seconds, totalWords / seconds, colorShare, typeShare, analogies);
        ResultsJson.Write(folder.File(ResultsFile), results);
        metrics.Flush();
        WriteSections(folder.Path, w2v, words, colors, types, tables, results, model);

        var values = new Dictionary<string, double>();
        if (colorShare is { } c) values["colour_neighbour_share"] = c;
        if (typeShare is { } t) values["type_neighbour_share"] = t;
        var stated = analogies.Where(a => a.Expected is not null).ToList();
        if (stated.Count > 0) values["analogy_accuracy"] = (double)stated.Count(a => a.Correct) / stated.Count;
        return values;
    }

    /// <summary>Share of the group's words whose <paramref name="k"/> nearest neighbours (cosine) all belong to the group.</summary>
    private static double? Share(Tensor vectors, IReadOnlyList<string> group, Dictionary<string, int> index, int k)
    {
        if (group.Count < 2) return null;
        var members = group.Select(w => index[w]).ToHashSet();
        int hits = group.Count(w => Similarities.Nearest(vectors[index[w]], vectors, Math.Min(k, group.Count - 1), Distance.Cosine,
            new HashSet<int> { index[w] }).All(n => members.Contains(n.Index)));
        return (double)hits / group.Count;
    }

    private static void WriteSections(string runDir, Word2VecModel w2v, IReadOnlyList<string> words, List<string> colors,
        List<string> types, List<Neighbours> tables, Results r, Word2VecExperimentConfig model)
    {
        string F(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "—";

        // 1. Scatter of the PCA projection, coloured by category.
        using var scope = NewDisposeScope();
        int shown = Math.Min(words.Count, model.PlotWords);
        var pca = Pca.Fit(w2v.Vectors[TensorIndex.Slice(0, shown)], 2);
        float[] xy = pca.Projected.data<float>().ToArray();
        string Category(string w) => colors.Contains(w) ? "cor" : types.Contains(w) ? "tipo" : "outra";
        var points = Enumerable.Range(0, shown).Select(i => (Category(words[i]), (double)xy[2 * i], (double)xy[2 * i + 1], (string?)words[i])).ToList();
        byte[] scatter = CategoryCharts.Scatter($"word2vec: the {shown} most frequent words, PCA to 2-D "
            + $"({pca.ExplainedVarianceRatio.Sum():P0} of the variance)", "PC 1", "PC 2", points);

        var section = new SectionBuilder()
            .Heading("word2vec: words in a latent space")
            .Paragraph($"{r.Vocabulary} words, trained on {r.Words:N0} words in {r.Seconds:F1} s ({r.WordsPerSecond:N0} words/s).")
            .Table(["measured", "value"],
                [[$"colour words whose {model.Neighbours} nearest neighbours (cosine) are colours", F(r.ColorNeighbourShare)],
                 [$"type words whose {model.Neighbours} nearest neighbours are types", F(r.TypeNeighbourShare)]],
                numeric: [false, true])
            .Figure("word2vec_pca.png", scatter);

        // 2. Nearest neighbours under the three measures.
        section.Heading("Nearest neighbours", level: 3).Table(["word", "measure", "5 nearest (distance)"],
            tables.Select(t => (IReadOnlyList<TableCell>)[t.Word, t.Distance.ToString(),
                string.Join(", ", t.Nearest.Select(n => $"{n.Word} ({n.Distance.ToString("0.00", CultureInfo.InvariantCulture)})"))]));

        // 3. Analogies.
        if (r.Analogies.Count > 0)
            section.Heading("Analogies (a − b + c, cosine)", level: 3).Table(["query", "expected", "top 3", "expected in top 3"],
                r.Analogies.Select(a => (IReadOnlyList<TableCell>)[$"{a.A} − {a.B} + {a.C}", a.Expected ?? "", string.Join(", ", a.Answers),
                    new TableCell(a.Correct ? "✓" : "✗", a.Correct ? "pass" : "fail")]));
        section.Write(runDir, 10, "word2vec");
    }
}
