using GenLab.Models.Language;

namespace GenLab.Models.Tests.Language;

public sealed class DocumentSplitTests
{
    /// <summary>20 distinct one-line documents, each written three times in a shuffled order: a corpus with repeats,
    /// as textos-pt.txt was.</summary>
    private static string Repetitive()
    {
        var documents = Enumerable.Range(0, 20).Select(i => $"O documento {i} diz algo sobre o número {i * i}.").ToList();
        var rng = new GenLab.Models.Data.SplitMix64(11);
        var copies = documents.Concat(documents).Concat(documents).ToList();
        rng.Shuffle(copies);
        return string.Concat(copies.Select(d => d + "\n\n"));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("\n\n  \n", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a\r\nb\n\n\n c \n \t\nd\n", new[] { "a\nb", " c ", "d" })]
    public void Documents_AreRunsOfNonBlankLines(string text, string[] expected) =>
        Assert.Equal(expected, DocumentSplit.Documents(text));

    [Fact]
    public void Of_RemovesDuplicates_AndNeverPutsADocumentInBothSets()
    {
        var split = DocumentSplit.Of(Repetitive(), 0.1);
        Assert.Equal(40, split.Duplicates);
        Assert.Equal(20, split.Train.Count + split.Val.Count);
        Assert.Equal(split.Train.Count, split.Train.Distinct().Count());
        Assert.Equal(split.Val.Count, split.Val.Distinct().Count());
        Assert.Empty(split.Train.Intersect(split.Val));
        Assert.InRange(split.Val.Count, 2, 3);                       // 10% of 20 documents of about the same length
        Assert.Equal(string.Concat(split.Val.Select(d => d + "\n\n")), split.ValText);
    }

    [Fact]
    public void Of_IsAFunctionOfTheSetOfDocuments_NotOfTheirOrder()
    {
        string text = Repetitive();
        var a = DocumentSplit.Of(text, 0.2);
        var b = DocumentSplit.Of(text, 0.2);
        var reversed = DocumentSplit.Of(string.Join("\n\n", DocumentSplit.Documents(text).Reverse()), 0.2);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Val, b.Val);
        Assert.Equal(a.Val.Order(StringComparer.Ordinal), reversed.Val.Order(StringComparer.Ordinal));
        // The documents whose hash comes first: SHA-256, the same in every process.
        var byHash = DocumentSplit.Documents(text).Distinct().OrderBy(DocumentSplit.Hash).ToList();
        Assert.Equal(byHash.Take(a.Val.Count).Order(StringComparer.Ordinal), a.Val.Order(StringComparer.Ordinal));
        Assert.Equal(0xca978112ca1bbdcaUL, DocumentSplit.Hash("a"));   // SHA-256("a") = ca978112ca1bbdca…
    }

    [Fact]
    public void Of_KeepsFileOrder_AndLeavesTrainingADocument()
    {
        var split = DocumentSplit.Of("um\n\ndois\n\ntrês\n\nquatro\n\n", 0.5);
        var order = new[] { "um", "dois", "três", "quatro" };
        Assert.Equal(order.Where(split.Train.Contains), split.Train);
        Assert.Equal(order.Where(split.Val.Contains), split.Val);

        var most = DocumentSplit.Of("a\n\nb\n\n", 0.99);
        Assert.Single(most.Train);
        Assert.Single(most.Val);
        Assert.Throws<ArgumentException>(() => DocumentSplit.Of("a\n\na\n\n", 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentSplit.Of("a\n\nb\n\n", 1.0));
    }

    [Theory]
    [InlineData("a\nbb\n", "bb\ncc\n", 0.5)]
    [InlineData("a\nbb\n", "cc\n\n", 0.0)]
    [InlineData("a\nbb", "a\n\nbb\r\n", 1.0)]
    [InlineData("a", "", 0.0)]
    public void LineOverlap_CountsValidationCharactersInTrainingLines(string train, string val, double expected) =>
        Assert.Equal(expected, DocumentSplit.LineOverlap(train, val), 1e-12);

    [Fact]
    public void LineOverlap_IsZeroForADocumentSplit_AndPositiveForATailSplitOfTheSameRepeats()
    {
        string text = Repetitive();
        var documents = DocumentSplit.Of(text, 0.1);
        Assert.Equal(0.0, DocumentSplit.LineOverlap(documents.TrainText, documents.ValText));

        int cut = (int)(text.Length * 0.9);
        Assert.True(DocumentSplit.LineOverlap(text[..cut], text[cut..]) > 0.5);   // each document is written 3 times
    }
}
