using GenLab.Models.Data;
using GenLab.Models.Language;
using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Language;

public sealed class QaDatasetTests
{
    private static readonly QaExample Example = new(null, "Quanto é 2 + 2?", "2 + 2 = 4.");

    private static CharTokenizer Tokenizer(params QaExample[] examples) =>
        CharTokenizer.FromCorpus(string.Concat(examples.Select(PromptTemplate.Format)));

    [Fact]
    public void PromptTemplate_FormatsWithAndWithoutSystem()
    {
        Assert.Equal("### Pergunta:\nQuanto é 2 + 2?\n\n### Resposta:\n2 + 2 = 4.\n###\n", PromptTemplate.Format(Example));
        Assert.Equal("### Sistema:\nSeja breve.\n\n### Pergunta:\nQ?\n\n### Resposta:\n",
            PromptTemplate.Prompt(new QaExample("Seja breve.", "Q?", "R")));
        Assert.Equal("2 + 2 = 4.", PromptTemplate.ResponseOf("2 + 2 = 4.\n###\n### Pergunta:"));
        Assert.Equal("2 + 2 = 4.", PromptTemplate.ResponseOf("2 + 2 = 4.\n###"));
        Assert.Equal("sem fim", PromptTemplate.ResponseOf("sem fim"));
    }

    [Fact]
    public void Sample_MasksPromptAndPadding_AndKeepsResponseIds()
    {
        var tokenizer = Tokenizer(Example);
        int promptLength = PromptTemplate.Prompt(Example).Length;           // char tokenizer: one id per char
        int completionLength = PromptTemplate.Completion(Example).Length;
        int blockSize = promptLength + completionLength + 5;                // 4 padded positions after the last target
        using var data = new QaDataset([Example], [Example], tokenizer, blockSize);

        var (x, y) = data.Sample(QaDataset.Train, new SplitMix64(0), 2);
        using (x) using (y)
        {
            Assert.Equal([2L, blockSize], x.shape);
            Assert.Equal([2L, blockSize], y.shape);
            long[] xs = x.data<long>().ToArray()[..blockSize], ys = y.data<long>().ToArray()[..blockSize];
            long[] full = [.. tokenizer.Encode(PromptTemplate.Format(Example)).Select(id => (long)id)];

            Assert.Equal(full, xs[..full.Length]);
            Assert.All(xs[full.Length..], id => Assert.Equal(0, id));        // padding in X is id 0
            for (int t = 0; t < blockSize; t++)
            {
                // Position t predicts token t + 1: a target only when token t + 1 belongs to the completion.
                bool supervised = t + 1 >= promptLength && t + 1 < full.Length;
                Assert.Equal(supervised ? full[t + 1] : QaDataset.IgnoreIndex, ys[t]);
            }
            string targets = tokenizer.Decode([.. ys.Where(id => id != QaDataset.IgnoreIndex).Select(id => (int)id)]);
            Assert.Equal("2 + 2 = 4.\n###\n", targets);
        }
    }

    [Fact]
    public void Row_TooLong_DropsPromptTokensFromTheLeft()
    {
        var example = new QaExample("Um prompt de sistema bem longo.", "Q?", "R.");
        var tokenizer = Tokenizer(example);
        int completionLength = PromptTemplate.Completion(example).Length;
        int blockSize = completionLength + 10;

        var (tokens, isTarget) = QaDataset.Row(example, tokenizer, blockSize)!.Value;

        string kept = tokenizer.Decode([.. tokens.Select(id => (int)id)]);
        Assert.Equal(PromptTemplate.Format(example)[^(blockSize + 1)..], kept);
        Assert.Equal(completionLength, isTarget.Count(b => b));
        Assert.All(isTarget[..(blockSize + 1 - completionLength)], Assert.False);
    }

    [Fact]
    public void Constructor_SkipsExamplesWhoseResponseDoesNotFit()
    {
        var longAnswer = new QaExample(null, "Q?", new string('a', 40));
        var tokenizer = Tokenizer(Example, longAnswer);
        using var data = new QaDataset([Example, longAnswer], [longAnswer], tokenizer, blockSize: 40);

        Assert.Equal(1, data.TrainCount);
        Assert.Equal(0, data.ValCount);
        Assert.Equal(2, data.Skipped);
        var error = Assert.Throws<ArgumentException>(() => data.Sample(QaDataset.Val, new SplitMix64(0), 1));
        Assert.StartsWith("val split has no examples that fit block_size = 40", error.Message);
    }

    [Fact]
    public void Sample_WithTheSameRngState_IsTheSameBatch()
    {
        var examples = QaCorpusGenerator.Generate(20, seed: 1);
        var tokenizer = Tokenizer([.. examples]);
        using var data = new QaDataset(examples, examples, tokenizer, blockSize: 256);
        var (x1, y1) = data.Sample(QaDataset.Train, new SplitMix64(9), 4);
        var (x2, y2) = data.Sample(QaDataset.Train, new SplitMix64(9), 4);
        using (x1) using (y1) using (x2) using (y2)
        {
            Assert.Equal(x1.data<long>().ToArray(), x2.data<long>().ToArray());
            Assert.Equal(y1.data<long>().ToArray(), y2.data<long>().ToArray());
        }
    }
}
