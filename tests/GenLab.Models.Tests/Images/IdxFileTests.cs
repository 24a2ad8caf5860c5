using GenLab.Models.Images;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class IdxFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("idx-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static byte[,,] SampleImages()
    {
        var images = new byte[3, 4, 5];
        for (int n = 0; n < 3; n++)
        for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++)
            images[n, y, x] = (byte)(n * 80 + y * 5 + x);
        return images;
    }

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Images_WriteRead_RoundTrips(string name)
    {
        string path = Path.Combine(folder, name);
        var images = SampleImages();
        IdxFile.WriteImages(path, images);

        using var read = IdxFile.ReadImages(path);
        Assert.Equal([3L, 1, 4, 5], read.shape);
        Assert.Equal(ScalarType.Float32, read.dtype);
        Assert.Equal(images[2, 3, 4] / 255f, read[2, 0, 3, 4].item<float>(), 6);
        Assert.Equal(images[1, 0, 2] / 255f, read[1, 0, 0, 2].item<float>(), 6);
        Assert.True(read.max().item<float>() <= 1f);
    }

    [Theory]
    [InlineData("labels.idx")]
    [InlineData("labels.idx.gz")]
    public void Labels_WriteRead_RoundTrips(string name)
    {
        string path = Path.Combine(folder, name);
        IdxFile.WriteLabels(path, [7, 0, 9, 255]);
        Assert.Equal([7L, 0, 9, 255], IdxFile.ReadLabels(path));
    }

    [Fact]
    public void Gzip_IsRecognisedByItsMagicBytes_NotTheName()
    {
        string gz = Path.Combine(folder, "t10k-labels.gz");
        IdxFile.WriteLabels(gz, [1, 2, 3]);
        Assert.Equal([0x1f, 0x8b], File.ReadAllBytes(gz)[..2]);
        string renamed = Path.Combine(folder, "t10k-labels-idx1-ubyte");
        File.Move(gz, renamed);
        Assert.Equal([1L, 2, 3], IdxFile.ReadLabels(renamed));
    }

    [Fact]
    public void ReadImages_OfALabelFile_NamesTheFileAndTheMagic()
    {
        string path = Path.Combine(folder, "labels.idx");
        IdxFile.WriteLabels(path, [1, 2]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("0x00000801", error.Message);
        Assert.Contains("expected 0x00000803", error.Message);
    }

    [Fact]
    public void ReadLabels_OfANonIdxFile_NamesTheFile()
    {
        string path = Path.Combine(folder, "notes.txt");
        File.WriteAllText(path, "hello, world");
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("magic number", error.Message);
    }

    [Fact]
    public void ReadImages_TruncatedData_NamesTheFileAndTheCounts()
    {
        string path = Path.Combine(folder, "images.idx");
        IdxFile.WriteImages(path, SampleImages());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^7]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("3 images of 4×5", error.Message);
    }

    [Fact]
    public void ReadImages_TruncatedHeader_NamesTheFile()
    {
        string path = Path.Combine(folder, "images.idx");
        IdxFile.WriteImages(path, SampleImages());
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..10]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void ReadLabels_TrailingBytes_IsACountMismatch()
    {
        string path = Path.Combine(folder, "labels.idx");
        IdxFile.WriteLabels(path, [1, 2, 3]);
        File.WriteAllBytes(path, [.. File.ReadAllBytes(path), 4, 5]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("count mismatch", error.Message);
    }

    [Fact]
    public void ReadLabels_CorruptGzip_NamesTheFile()
    {
        string path = Path.Combine(folder, "labels.gz");
        IdxFile.WriteLabels(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..12]);
        var error = Assert.ThrowsAny<Exception>(() => IdxFile.ReadLabels(path));
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains(path, error.Message);
    }
}
