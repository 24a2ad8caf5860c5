using GenLab.Models.Data;
using GenLab.Models.Images;

namespace GenLab.Models.Tests.Images;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("image-folder-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Folder(string relative)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A gray width×height image whose value is a function of the column.</summary>
    private static ImageData Columns(int width, int height, Func<int, float> value)
    {
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            pixels[y * width + x] = value(x);
        return new ImageData(width, height, 1, pixels);
    }

    [Fact]
    public void Read_ClassSubFolders_GiveSizesAndLabelsInNameOrder()
    {
        var rng = new SplitMix64(3);
        var spec = new ShapeSpec();
        foreach (string label in new[] { "squares", "circles" })
            for (int i = 0; i < 2; i++)
                ShapeRenderer.Render(spec, 20, rng).SavePng(Path.Combine(Folder(label), $"{i}.png"));
        File.WriteAllText(Path.Combine(root, "circles", "README.txt"), "not an image");

        var (images, labels) = ImageFolder.Read(root, size: 8, grayscale: false);
        Assert.Equal(["circles", "circles", "squares", "squares"], labels);
        Assert.All(images, image => Assert.Equal((8, 8, 3), (image.Width, image.Height, image.Channels)));

        var (gray, _) = ImageFolder.Read(root, size: 8, grayscale: true);
        Assert.All(gray, image => Assert.Equal(1, image.Channels));
    }

    [Fact]
    public void Read_WithoutSubFolders_IsOneClassWithAnEmptyLabel()
    {
        Columns(10, 10, _ => 0.5f).SavePng(Path.Combine(root, "a.png"));
        var (images, labels) = ImageFolder.Read(root, size: 10, grayscale: true);
        Assert.Equal([""], labels);
        Assert.Equal(128 / 255f, images[0][0, 5, 5], 4);
    }

    [Fact]
    public void Read_WideImage_IsCenterCroppedNotSquashed()
    {
        // 12×6: black margins 3 px wide on each side of a white 6×6 center; the short side already is 6, so the
        // crop keeps exactly the white square.
        Columns(12, 6, x => x is >= 3 and < 9 ? 1f : 0f).SavePng(Path.Combine(root, "wide.png"));
        var (images, _) = ImageFolder.Read(root, size: 6, grayscale: true);
        Assert.Equal((6, 6), (images[0].Width, images[0].Height));
        Assert.All(images[0].Pixels, v => Assert.Equal(1f, v, 3));
    }

    [Fact]
    public void Read_WideImage_IsResizedByTheShortSide()
    {
        // 24×12 → short side 12 → 6: scale ½, so the crop is the white 12×12 center and the margins vanish.
        Columns(24, 12, x => x is >= 6 and < 18 ? 1f : 0f).SavePng(Path.Combine(root, "wide.png"));
        var (images, _) = ImageFolder.Read(root, size: 6, grayscale: false);
        Assert.Equal((6, 6, 3), (images[0].Width, images[0].Height, images[0].Channels));
        // The interior is pure white; the outermost columns may blend a little with the margins.
        for (int y = 0; y < 6; y++)
        for (int x = 1; x < 5; x++)
            Assert.Equal(1f, images[0][0, y, x], 2);
    }

    [Fact]
    public void Read_TallImage_KeepsTheMiddleRows()
    {
        // 4×8 (portrait): rows 0–1 and 6–7 black, rows 2–5 white.
        var pixels = new float[4 * 8];
        for (int y = 2; y < 6; y++)
        for (int x = 0; x < 4; x++)
            pixels[y * 4 + x] = 1f;
        new ImageData(4, 8, 1, pixels).SavePng(Path.Combine(root, "tall.png"));
        var (images, _) = ImageFolder.Read(root, size: 4, grayscale: true);
        Assert.All(images[0].Pixels, v => Assert.Equal(1f, v, 3));
    }

    [Fact]
    public void Read_EmptyFolder_NamesIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(root, 8, grayscale: false));
        Assert.Contains(root, error.Message);
    }

    [Fact]
    public void Read_EmptyClassFolder_NamesIt()
    {
        Columns(8, 8, _ => 1f).SavePng(Path.Combine(Folder("full"), "a.png"));
        string empty = Folder("empty");
        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(root, 8, grayscale: false));
        Assert.Contains(empty, error.Message);
    }

    [Fact]
    public void Read_UndecodableFile_NamesIt()
    {
        string bad = Path.Combine(root, "broken.png");
        File.WriteAllText(bad, "this is not a PNG");
        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(root, 8, grayscale: false));
        Assert.Contains(bad, error.Message);
    }

    [Fact]
    public void Read_TruncatedPng_NamesIt()
    {
        // A real PNG cut off halfway: the header decodes, the pixel data does not.
        var pixels = Enumerable.Range(0, 3 * 64 * 64).Select(i => (i * 37 % 101) / 100f).ToArray();
        byte[] png = new ImageData(64, 64, 3, pixels).ToPng();
        string bad = Path.Combine(Folder("cut"), "half.png");
        File.WriteAllBytes(bad, png[..(png.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(root, 8, grayscale: false));
        Assert.Contains(bad, error.Message);
    }

    [Fact]
    public void Read_MissingFolder_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Read(Path.Combine(root, "nope"), 8, grayscale: false));
    }
}
