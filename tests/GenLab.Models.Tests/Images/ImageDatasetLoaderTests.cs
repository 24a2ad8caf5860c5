using GenLab.Models.Images;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class ImageDatasetLoaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("image-dataset-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Digits_GiveOneChannelImagesAndDigitLabels()
    {
        var data = new ImageDatasetConfig { Source = ImageSource.Digits, Size = 20, CountPerItem = 3, Digits = DigitImagesTests.DejaVu };
        var (images, labels, colors) = ImageDatasetLoader.Load(data, seed: 5);
        using (images)
        {
            Assert.Equal([30L, 1, 20, 20], images.shape);
            Assert.Equal(DigitImages.Labels, labels.Distinct().Order(StringComparer.Ordinal));
            Assert.All(DigitImages.Labels, d => Assert.Equal(3, labels.Count(l => l == d)));
            Assert.Null(colors);
        }

        var (limited, limitedLabels, _) = ImageDatasetLoader.Load(data with { Limit = 7 }, seed: 5);
        using (limited)
        {
            Assert.Equal(7, limited.shape[0]);
            Assert.Equal(labels[..7], limitedLabels);
        }
    }

    /// <summary>Fashion-MNIST ships in MNIST's IDX layout under MNIST's file names (gzip, 28×28, labels 0–9), so the
    /// same reader takes it; 28×28 is padded with zeros, centred, to the 32×32 a three-times-halving network needs.</summary>
    [Fact]
    public void Idx_FashionMnistLayout_IsPaddedToSizeWithDigitStringLabels()
    {
        const int n = 10;
        var pixels = new byte[n, 28, 28];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) pixels[i, y, x] = (byte)(i * 20 + 7);
        string images = Path.Combine(folder, "train-images-idx3-ubyte.gz"), labels = Path.Combine(folder, "train-labels-idx1-ubyte.gz");
        IdxFile.WriteImages(images, pixels);
        IdxFile.WriteLabels(labels, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);   // Fashion-MNIST's first ten training labels

        var data = new ImageDatasetConfig { Source = ImageSource.Idx, Path = images, Labels = labels, Size = 32 };
        var (tensor, names, _) = ImageDatasetLoader.Load(data, seed: 1);
        using (tensor)
        {
            Assert.Equal([10L, 1, 32, 32], tensor.shape);
            Assert.Equal(["9", "0", "0", "3", "0", "2", "7", "2", "5", "5"], names);
            Assert.Equal(0f, tensor[3, 0, 1, 16].item<float>());                         // padding rows 0–1
            Assert.Equal(0f, tensor[3, 0, 16, 30].item<float>());                        // padding columns 30–31
            Assert.Equal((3 * 20 + 7) / 255f, tensor[3, 0, 2, 2].item<float>(), 6);      // first original pixel
            Assert.Equal((3 * 20 + 7) / 255f, tensor[3, 0, 29, 29].item<float>(), 6);    // last original pixel
        }

        var (cropped, _, _) = ImageDatasetLoader.Load(data with { Size = 24, Limit = 2 }, seed: 1);
        using (cropped)
        {
            Assert.Equal([2L, 1, 24, 24], cropped.shape);
            Assert.Equal(7 / 255f, cropped.min().item<float>(), 6);                       // no padding: a centred crop
        }
    }

    [Fact]
    public void Idx_FewerLabelsThanImages_NamesTheLabelFile()
    {
        string images = Path.Combine(folder, "images.idx"), labels = Path.Combine(folder, "labels.idx");
        IdxFile.WriteImages(images, new byte[3, 8, 8]);
        IdxFile.WriteLabels(labels, [1, 2]);
        var data = new ImageDatasetConfig { Source = ImageSource.Idx, Path = images, Labels = labels, Size = 8 };
        var error = Assert.Throws<InvalidDataException>(() => ImageDatasetLoader.Load(data, seed: 1));
        Assert.Contains(labels, error.Message);
        Assert.Contains("2 labels for 3 images", error.Message);
    }

    [Fact]
    public void Validate_DigitKeys_AreCheckedAgainstTheSource()
    {
        Assert.Empty(new ImageDatasetConfig { Source = ImageSource.Digits, Size = 32, Digits = new DigitStyle() }.Validate());
        Assert.Equal(["size"], new ImageDatasetConfig { Source = ImageSource.Digits, Size = 128 }.Validate().Select(i => i.Key));
        Assert.Equal(["path"], new ImageDatasetConfig { Source = ImageSource.Digits, Path = "x.png" }.Validate().Select(i => i.Key));
        Assert.Equal(["digits"], new ImageDatasetConfig { Source = ImageSource.Drawer, Digits = new DigitStyle() }.Validate().Select(i => i.Key));
        Assert.Equal(["path"], new ImageDatasetConfig { Source = ImageSource.Folder }.Validate().Select(i => i.Key));
    }
}
