using System.Text.RegularExpressions;
using GenLab.Models.Language;

namespace GenLab.Models.Tests.Language;

public sealed partial class QaCorpusGeneratorTests
{
    [Fact]
    public void Generate_SameSeed_SameExamples_OtherSeed_Others()
    {
        var a = QaCorpusGenerator.Generate(100, seed: 5);
        var b = QaCorpusGenerator.Generate(100, seed: 5);
        var c = QaCorpusGenerator.Generate(100, seed: 6);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(QaCorpusGenerator.GenerateText(2000, 5), QaCorpusGenerator.GenerateText(2000, 5));
    }

    [Fact]
    public void Generate_QuestionsAreDistinct_AndArithmeticIsRight()
    {
        var examples = QaCorpusGenerator.Generate(400, QaCorpusGenerator.DefaultSeed);
        Assert.Equal(400, examples.Select(e => e.Question).Distinct().Count());
        int checkedSums = 0;
        foreach (var e in examples)
        {
            if (Arithmetic().Match(e.Question) is not { Success: true } m) continue;
            int a = int.Parse(m.Groups[1].Value), b = int.Parse(m.Groups[3].Value);
            int expected = m.Groups[2].Value switch { "+" => a + b, "-" => a - b, _ => a * b };
            Assert.Equal($"{a} {m.Groups[2].Value} {b} = {expected}.", e.Response);
            checkedSums++;
        }
        Assert.True(checkedSums > 20, $"only {checkedSums} arithmetic questions");
        foreach (var e in examples.Where(e => e.Question.StartsWith("Quantos caracteres tem a palavra ", StringComparison.Ordinal)))
        {
            string word = e.Question["Quantos caracteres tem a palavra ".Length..^1];
            Assert.Equal($"A palavra {word} tem {word.Length} caracteres.", e.Response);   // no one-letter words in the list
        }
        Assert.Contains(examples, e => e.System is not null);
        Assert.Contains(examples, e => e.System is null);
    }

    [Fact]
    public void GenerateText_SaysTheAnswersInTheSameWords()
    {
        string text = QaCorpusGenerator.GenerateText(QaCorpusGenerator.DefaultTextChars, QaCorpusGenerator.DefaultSeed);
        Assert.InRange(text.Length, QaCorpusGenerator.DefaultTextChars, QaCorpusGenerator.DefaultTextChars + 2000);
        var concepts = QaCorpusGenerator.Generate(400, QaCorpusGenerator.DefaultSeed).Where(e => e.Response.Length > 60).ToList();
        Assert.NotEmpty(concepts);
        Assert.All(concepts, e => Assert.Contains(e.Response, text));
    }

    [Fact]
    public void GenerateText_HasDistinctParagraphs_AndNoQuestionOfThePairs()
    {
        string text = QaCorpusGenerator.GenerateText(QaCorpusGenerator.DefaultTextChars, QaCorpusGenerator.DefaultSeed);
        var paragraphs = DocumentSplit.Documents(text);
        Assert.True(paragraphs.Count > 100, $"only {paragraphs.Count} paragraphs");
        Assert.Equal(paragraphs.Count, paragraphs.Distinct().Count());
        // A held-out question that is pre-training text would be validated on text the model was trained on.
        var questions = QaCorpusGenerator.Generate(QaCorpusGenerator.DefaultPairs, QaCorpusGenerator.DefaultSeed).Select(e => e.Question);
        Assert.DoesNotContain(questions, q => text.Contains(q, StringComparison.Ordinal));
    }

    [Fact]
    public void CommittedDataFiles_AreWhatTheGeneratorWrites()
    {
        string data = Path.Combine(RepositoryRoot(), "experiments", "data");
        // GENLAB_REGENERATE_DATA=1 rewrites the committed files (after changing the generator on purpose).
        if (Environment.GetEnvironmentVariable("GENLAB_REGENERATE_DATA") == "1") QaCorpusGenerator.WriteFiles(data);
        string fresh = Directory.CreateTempSubdirectory("genlab-qa-").FullName;
        try
        {
            QaCorpusGenerator.WriteFiles(fresh);
            foreach (string name in new[] { "qa-pt.jsonl", "qa-pt.train.jsonl", "qa-pt.val.jsonl", "qa-pt.test.jsonl", "textos-pt.txt" })
                Assert.True(File.ReadAllText(Path.Combine(fresh, name)) == File.ReadAllText(Path.Combine(data, name)).ReplaceLineEndings("\n"),
                    $"experiments/data/{name} differs from QaCorpusGenerator.WriteFiles (rerun with GENLAB_REGENERATE_DATA=1)");
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }

        var all = QaJsonl.Read(Path.Combine(data, "qa-pt.jsonl"));
        var train = QaJsonl.Read(Path.Combine(data, "qa-pt.train.jsonl"));
        var val = QaJsonl.Read(Path.Combine(data, "qa-pt.val.jsonl"));
        var test = QaJsonl.Read(Path.Combine(data, "qa-pt.test.jsonl"));
        Assert.Equal((400, 320, 40, 40), (all.Count, train.Count, val.Count, test.Count));
        Assert.Equal(all, train.Concat(val).Concat(test));
        Assert.InRange(new FileInfo(Path.Combine(data, "textos-pt.txt")).Length, 30_000, 60_000);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no GenLab.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^Quanto é (\d+) ([+\-×]) (\d+)\?$")]
    private static partial Regex Arithmetic();
}
