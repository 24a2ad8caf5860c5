using System.Text;
using GenLab.Models.Drawer;

namespace GenLab.Models.Tests.Drawer;

public sealed class DrawerCorpusTests
{
    [Fact]
    public void Generate_SameSeed_SameText_OtherSeed_OtherText()
    {
        Assert.Equal(DrawerCorpus.Generate(200, 3), DrawerCorpus.Generate(200, 3));
        Assert.NotEqual(DrawerCorpus.Generate(200, 3), DrawerCorpus.Generate(200, 4));
    }

    [Fact]
    public void Generate_OneLowerCaseSentencePerLine_WithEveryColorAndTypeWord()
    {
        string text = DrawerCorpus.Generate(2000, 1);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.Equal(line.ToLowerInvariant(), line);
            Assert.All(line.Split(' '), word => Assert.Matches(@"^[\p{L}\p{M}']+$", word));
        });
        var vocabulary = lines.SelectMany(l => l.Split(' ')).ToHashSet();
        Assert.All(DrawerCorpus.ColorWords, w => Assert.Contains(w, vocabulary));
        Assert.All(DrawerCorpus.TypeWords, w => Assert.Contains(w, vocabulary));
        Assert.All(DrawerCorpus.ActionWords, w => Assert.Contains(w, vocabulary));
        Assert.All(DrawerCorpus.PlaceWords, w => Assert.Contains(w, vocabulary));
    }

    [Fact]
    public void Generate_ColorsNeverShareASentenceWithAnAction()
    {
        // The design promise that makes colours cluster apart from actions (see DrawerCorpus's summary).
        var colors = DrawerCorpus.ColorWords.ToHashSet();
        var actions = DrawerCorpus.ActionWords.ToHashSet();
        foreach (string line in DrawerCorpus.Generate(5000, 9).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ');
            Assert.False(words.Any(colors.Contains) && words.Any(actions.Contains), line);
        }
    }

    [Fact]
    public void Generate_ActionsMatchTheirItems()
    {
        foreach (string line in DrawerCorpus.Generate(5000, 2).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ');
            if (words.Contains("apagar")) Assert.Contains("borracha", words);
            if (words.Contains("medir") || words.Contains("traçar")) Assert.Contains("régua", words);
            if (words.Contains("escrever") || words.Contains("desenhar")) Assert.True(words.Contains("lápis") || words.Contains("caneta"), line);
        }
    }

    [Fact]
    public void Words_ListTheExpectedForms()
    {
        Assert.Equal(["vermelho", "vermelha", "azul", "verde", "amarelo", "amarela"], DrawerCorpus.ColorWords);
        Assert.Equal(["lápis", "caneta", "borracha", "régua"], DrawerCorpus.TypeWords);
    }

    [Fact]
    public void ReadSentences_LowerCasesWords_SkipsPunctuationAndBlankLines_KeepsAccentsAndApostrophes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlab-corpus-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, "A Caneta é AZUL!\n\n  ...  \nGuardei a RÉGUA, d'água.\n", Encoding.UTF8);
            var sentences = DrawerCorpus.ReadSentences(path);
            Assert.Equal(2, sentences.Count);
            Assert.Equal(["a", "caneta", "é", "azul"], sentences[0]);
            Assert.Equal(["guardei", "a", "régua", "d'água"], sentences[1]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadSentences_GeneratedCorpus_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlab-corpus-{Guid.NewGuid():N}.txt");
        try
        {
            string text = DrawerCorpus.Generate(100, 5);
            File.WriteAllText(path, text);
            var sentences = DrawerCorpus.ReadSentences(path);
            Assert.Equal(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), sentences.Select(s => string.Join(' ', s)));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n... !!\n")]
    public void ReadSentences_NoWords_ThrowsNamingTheFile(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlab-empty-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, content);
            var error = Assert.Throws<InvalidDataException>(() => DrawerCorpus.ReadSentences(path));
            Assert.Contains(path, error.Message);
        }
        finally { File.Delete(path); }
    }
}
