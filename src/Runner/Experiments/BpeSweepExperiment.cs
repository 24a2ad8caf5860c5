using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GenLab.Models.Tokenizers;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: bpe_sweep</c> — trains byte-level BPE for each vocabulary size and measures tokens per character
/// on held-out text: bigger vocabularies give shorter sequences, with diminishing returns; GPT-4's and GPT-4o's
/// tokenizers are drawn as reference lines (trained on far more text, and not on this corpus).</summary>
public sealed class BpeSweepExperiment(ExperimentConfig config) : IAnalysisExperiment
{
    public const string ResultsFile = "bpe_sweep.json";

    public sealed record Point(int VocabSize, int HeldOutTokens, double TokensPerCharacter, double TrainSeconds);
    public sealed record Reference(string Label, int HeldOutTokens, double TokensPerCharacter);
    public sealed record Results(int TrainCharacters, int HeldOutCharacters, IReadOnlyList<Point> Points, IReadOnlyList<Reference> References);

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var data = config.DataAs<HeldOutCorpusConfig>();
        var model = config.ModelAs<BpeSweepConfig>();
        string corpus = File.ReadAllText(data.Corpus);
        var (train, heldOut) = SplitAtLine(corpus, data.HeldOutFraction);
        if (train.Length == 0 || heldOut.Length == 0)
            throw new InvalidDataException($"{data.Corpus}: too short to hold out {data.HeldOutFraction:P0} and still train (split falls at a line boundary)");
        int heldOutCharacters = new StringInfo(heldOut).LengthInTextElements;

        var points = new List<Point>();
        foreach (int vocabSize in model.VocabSizes.Distinct().Order())
        {
            stop.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            ITokenizer tokenizer;
            try { tokenizer = TokenizerBuilder.Build(new TokenizerSpec { Type = TokenizerType.Bpe, VocabSize = vocabSize, Split = model.Split }, train); }
            catch (ArgumentException e) { throw new InvalidDataException($"model.vocab_sizes: {vocabSize}: {e.Message}"); }
            double seconds = clock.Elapsed.TotalSeconds;
            int tokens = tokenizer.Encode(heldOut).Count;
            points.Add(new Point(tokenizer.VocabularySize, tokens, (double)tokens / heldOutCharacters, seconds));
            logger.LogInformation("vocabulary {Vocab,6}: {Tokens} held-out tokens, {Ratio:F3} tokens/character (trained in {Seconds:F2} s)",
                tokenizer.VocabularySize, tokens, (double)tokens / heldOutCharacters, seconds);
        }
        var references = model.References.Select(type =>
        {
            var tokenizer = TokenizerBuilder.Build(new TokenizerSpec { Type = type }, train);
            int tokens = tokenizer.Encode(heldOut).Count;
            return new Reference(TokenizeConfig.LabelOf(new TokenizerSpec { Type = type }), tokens, (double)tokens / heldOutCharacters);
        }).ToList();

        var results = new Results(new StringInfo(train).LengthInTextElements, heldOutCharacters, points, references);
        ResultsJson.Write(folder.File(ResultsFile), results);
        WriteSection(folder.Path, results, model.Split);
        var values = new Dictionary<string, double>();
        foreach (var (point, requested) in points.Zip(model.VocabSizes.Distinct().Order())) values[$"tokens_per_character_{requested}"] = point.TokensPerCharacter;
        foreach (var r in references) values[$"tokens_per_character_{r.Label}"] = r.TokensPerCharacter;
        values["tokens_per_character_falls"] = points.Zip(points.Skip(1)).All(p => p.Second.TokensPerCharacter < p.First.TokensPerCharacter) ? 1 : 0;
        return values;
    }

    /// <summary>The last <paramref name="fraction"/> of the text, starting at a line boundary, is held out.</summary>
    internal static (string Train, string HeldOut) SplitAtLine(string text, double fraction)
    {
        int cut = (int)(text.Length * (1 - fraction));
        int newline = text.LastIndexOf('\n', Math.Clamp(cut, 0, Math.Max(0, text.Length - 1)));
        int at = newline >= 0 ? newline + 1 : cut;
        return (text[..at], text[at..]);
    }

    private static void WriteSection(string runDir, Results r, BpeSplit split)
    {
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        byte[] chart = Charts.Lines($"Byte-level BPE ({split.ToString().ToLowerInvariant()} split): held-out tokens per character",
            "vocabulary size (log scale)", "tokens per character",
            [("trained BPE", [.. r.Points.Select(p => (double)p.VocabSize)], [.. r.Points.Select(p => p.TokensPerCharacter)])],
            [.. r.References.Select(x => (x.Label, x.TokensPerCharacter))], logX: true);

        new SectionBuilder().Heading("Vocabulary size sweep")
            .Paragraph($"Trained on {r.TrainCharacters:N0} characters, measured on {r.HeldOutCharacters:N0} held-out characters. "
                + "Fewer tokens per character means shorter sequences for the model — paid for with a bigger embedding table.")
            .Figure("bpe_sweep.png", chart)
            .Table(["vocabulary", "held-out tokens", "tokens per character", "training time (s)"],
                [.. r.Points.Select(p => (IReadOnlyList<TableCell>)[p.VocabSize.ToString("N0"), p.HeldOutTokens.ToString("N0"), F(p.TokensPerCharacter), p.TrainSeconds.ToString("F2")]),
                 .. r.References.Select(x => (IReadOnlyList<TableCell>)[$"{x.Label} (reference)", x.HeldOutTokens.ToString("N0"), F(x.TokensPerCharacter), ""])],
                numeric: [true, true, true, true])
            .Write(runDir, 10, "sweep");
    }
}
