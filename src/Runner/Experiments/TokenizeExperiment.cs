using System.Globalization;
using System.Net;
using System.Text.Json;
using GenLab.Models.Tokenizers;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: tokenize</c> — every configured tokenizer on one text: counts, boundaries and ids, reported as
/// results (<c>characters</c>, <c>tokens_&lt;label&gt;</c>) that the experiment's <c>expect:</c> section checks against the
/// lecture's 68 characters / 67 ids, 11 words, 18 GPT-4 tokens.</summary>
public sealed class TokenizeExperiment(ExperimentConfig config) : IAnalysisExperiment
{
    public const string ResultsFile = "tokenization.json";

    public sealed record TokenizerResult(string Label, string Name, int VocabularySize, IReadOnlyList<int> Ids,
        IReadOnlyList<string> Pieces, bool Lossless, double CharactersPerToken);

    public sealed record Results(string Text, int Characters, IReadOnlyList<TokenizerResult> Tokenizers);

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var data = config.DataAs<TokenizeDataConfig>();
        var model = config.ModelAs<TokenizeConfig>();
        string text = data.ReadText();
        string corpus = data.Corpus is { } corpusPath ? File.ReadAllText(corpusPath) : text;
        if (data.Corpus is null) logger.LogWarning("no data.corpus: trainable tokenizers learn their vocabulary from the text itself");
        int characters = new StringInfo(text).LengthInTextElements;

        var results = new List<TokenizerResult>();
        foreach (var spec in model.Tokenizers)
        {
            stop.ThrowIfCancellationRequested();
            string label = TokenizeConfig.LabelOf(spec);
            ITokenizer tokenizer = TokenizerBuilder.Build(spec, corpus);
            var ids = tokenizer.Encode(text);
            var pieces = Pieces(tokenizer, ids);
            bool lossless = tokenizer.Decode(ids) == text;
            results.Add(new TokenizerResult(label, tokenizer.Name, tokenizer.VocabularySize, ids, pieces, lossless,
                ids.Count == 0 ? 0 : (double)characters / ids.Count));
            logger.LogInformation("{Label,-14} {Tokens,4} tokens  vocabulary {Vocabulary,7}  {Name}", label, ids.Count, tokenizer.VocabularySize, tokenizer.Name);
        }

        var all = new Results(text, characters, results);
        ResultsJson.Write(folder.File(ResultsFile), all);
        WriteSections(folder.Path, all, model);
        var values = new Dictionary<string, double> { ["characters"] = characters };
        foreach (var r in results) values[$"tokens_{r.Label}"] = r.Ids.Count;
        return values;
    }

    /// <summary>The text each token stands for. Word tokens decode without the spaces between them, so their piece is
    /// what the token adds to the decoded prefix; byte-level tokens decode one by one (a token holding part of a
    /// multi-byte character shows as U+FFFD, as on OpenAI's tokenizer page).</summary>
    private static List<string> Pieces(ITokenizer tokenizer, IReadOnlyList<int> ids)
    {
        if (tokenizer is not WordTokenizer) return ids.Select(id => tokenizer.Decode([id])).ToList();
        var pieces = new List<string>(ids.Count);
        string previous = "";
        for (int i = 0; i < ids.Count; i++)
        {
            string prefix = tokenizer.Decode([.. ids.Take(i + 1)]);
            pieces.Add(prefix[previous.Length..]);
            previous = prefix;
        }
        return pieces;
    }

    private static void WriteSections(string runDir, Results r, TokenizeConfig model)
    {
        string E(string s) => WebUtility.HtmlEncode(s);
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

        // 1. Table, bar chart, and what a student will notice.
        byte[] chart = Charts.Bars("Tokens for the same text", "tokens",
            [.. r.Tokenizers.Select(t => t.Label)], [.. r.Tokenizers.Select(t => (double)t.Ids.Count)]);
        var section = new SectionBuilder().Heading("Tokenizers compared")
            .Raw($"<p>Text ({r.Characters} characters):</p><pre>{E(r.Text)}</pre>\n", $"Text ({r.Characters} characters):\n\n```text\n{r.Text}\n```\n\n")
            .Table(["tokenizer", "tokens", "characters per token", "vocabulary", "lossless", "implementation"],
                r.Tokenizers.Select(t => (IReadOnlyList<TableCell>)[t.Label, t.Ids.Count.ToString(), F(t.CharactersPerToken),
                    t.VocabularySize.ToString("N0"), t.Lossless ? "yes" : "no", t.Name]),
                numeric: [false, true, true, true, false, false])
            .Figure("tokens.png", chart);
        foreach (string note in Notes(r, model)) section.Note(note);
        section.Write(runDir, 10, "tokenizers");

        // 2. Boundaries and ids: coloured token spans, which only Raw can say.
        var boundaries = new SectionBuilder().Heading("Token boundaries")
            .Raw("<p>Each coloured block is one token (hover for its id).</p>\n", "Tokens are separated by `·`.\n\n");
        foreach (var t in r.Tokenizers)
            boundaries.Heading($"{t.Label} — {t.Ids.Count} tokens", level: 3)
                .Raw($"{TokenSpans.Html(t.Pieces, t.Ids)}\n<details><summary>ids</summary><pre>[{string.Join(", ", t.Ids)}]</pre></details>\n",
                    $"{TokenSpans.Markdown(t.Pieces)}\n\n<details><summary>ids</summary>\n\n```text\n[{string.Join(", ", t.Ids)}]\n```\n\n</details>\n\n");
        boundaries.Write(runDir, 20, "boundaries");
    }

    /// <summary>Plain explanations of differences a student will notice, computed from the results.</summary>
    private static IEnumerable<string> Notes(Results r, TokenizeConfig model)
    {
        var lecture = r.Tokenizers.FirstOrDefault(t => model.Tokenizers.Any(s => s.Type == TokenizerType.CharLecture && TokenizeConfig.LabelOf(s) == t.Label));
        if (lecture is not null && lecture.Ids.Count != r.Characters)
        {
            var dropped = new LectureCharTokenizer().Dropped(r.Text);
            yield return $"The text has {r.Characters} characters, but the lecture's scheme (space = 0, a = 1 … z = 26) gives "
                + $"{lecture.Ids.Count} ids: it has no id for {string.Join(", ", dropped.Select(c => $"'{c}'"))}, so "
                + $"{r.Characters - lecture.Ids.Count} character(s) are dropped. A slide that says {r.Characters} tokens counts characters.";
        }
    }
}
