using GenLab.Models.Embeddings;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Embeddings;

public sealed class EmbeddingTextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-emb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string content)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteThenRead_RoundTripsWordsAndExactFloats(bool header)
    {
        string[] words = ["lápis", "caneta", "azul", "d'água"];
        using var vectors = tensor(new float[] { 0.1f, -2.5e-7f, 3f, 1f / 3, float.MaxValue, -0f, 42f, 1e-30f }, [4, 2], ScalarType.Float32);
        string path = Path.Combine(_dir, "vectors.txt");
        EmbeddingText.Write(path, words, vectors, header);
        Assert.Equal(header, File.ReadLines(path).First() == "4 2");

        var (readWords, readVectors) = EmbeddingText.Read(path);
        using (readVectors)
        {
            Assert.Equal(words, readWords);
            Assert.Equal(vectors.data<float>().ToArray(), readVectors.data<float>().ToArray());
        }
    }

    [Fact]
    public void Read_GloVeStyle_NoHeader_ToleratesBlankLinesAndTabs()
    {
        string path = Write("rei 0.5 1.5 -2\n\nrainha\t0.25 1e-3 4\n");
        var (words, vectors) = EmbeddingText.Read(path);
        using (vectors)
        {
            Assert.Equal(["rei", "rainha"], words);
            Assert.Equal([2L, 3L], vectors.shape);
            Assert.Equal([0.5f, 1.5f, -2f, 0.25f, 1e-3f, 4f], vectors.data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData("a 1 2 3 4 5\nb 1 2 3 4 5\nc 1 2 3 4\n", "line 3 has 4 values, expected 5")]
    [InlineData("3 5\na 1 2 3 4 5\nb 1 2 3 4 5 6\n", "line 3 has 6 values, expected 5")]
    [InlineData("a 1 2\nb 1 x\n", "line 2: value 2 of 'b' is 'x'")]
    [InlineData("a 1 2\nb 1,5 2\n", "line 2: value 1 of 'b' is '1,5'")]
    [InlineData("a 1 NaN\n", "line 1: value 2 of 'a' is 'NaN'")]
    [InlineData("3 2\na 1 2\nb 3 4\n", "header on line 1 announces 3 words, but the file has 2")]
    [InlineData("", "the file is empty")]
    [InlineData("\n\n", "the file is empty")]
    [InlineData("2 2\n", "announces 2 words but no vector follows")]
    [InlineData("a 1 2\na 3 4\n", "line 2 repeats the word 'a' (first on line 1)")]
    [InlineData("a\n", "line 1 has a word and no values")]
    public void Read_BadInput_ThrowsNamingFileAndLine(string content, string expected)
    {
        string path = Write(content);
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingText.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Write_WordWithSpace_OrCountMismatch_Throws()
    {
        using var vectors = zeros(2, 3);
        string path = Path.Combine(_dir, "bad.txt");
        Assert.Throws<ArgumentException>(() => EmbeddingText.Write(path, ["a b", "c"], vectors));
        Assert.Throws<ArgumentException>(() => EmbeddingText.Write(path, ["a"], vectors));
    }
}
