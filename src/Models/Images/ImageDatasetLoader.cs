using GenLab.Models.Drawer;
using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>Loads the images an <see cref="ImageDatasetConfig"/> names as one tensor with a label per image.</summary>
public static class ImageDatasetLoader
{
    /// <returns>Images (N, C, size, size) in [0, 1] (caller owns), a label per image, and for the drawer a colour per image.</returns>
    public static (Tensor Images, string[] Labels, string[]? Colors) Load(ImageDatasetConfig data, long seed)
    {
        switch (data.Source)
        {
            case ImageSource.Drawer:
            {
                var (images, items) = DrawerImages.Dataset(data.CountPerItem, data.Size, seed, data.Grayscale,
                    data.MaxRotation >= 180 ? DrawerPose.Free : DrawerPose.Steady(data.MaxRotation));
                int n = Take(images.Count, data.Limit);
                return (Stack(images.Take(n)), [.. items.Take(n).Select(i => DrawerItem.TypeWord(i.Type))],
                    [.. items.Take(n).Select(i => DrawerItem.ColorWord(i.Color, feminine: false))]);
            }
            case ImageSource.Digits:
            {
                var (images, digits) = DigitImages.Dataset(data.CountPerItem, data.Size, seed, data.Digits);
                int n = Take(images.Count, data.Limit);
                return (Stack(images.Take(n)), [.. digits.Take(n).Select(d => DigitImages.Labels[d])], null);
            }
            case ImageSource.Idx:
            {
                using var raw = IdxFile.ReadImages(data.Path!);                        // (N, 1, H, W)
                int n = Take((int)raw.shape[0], data.Limit);
                var images = FitSide(raw[TensorIndex.Slice(0, n)], data.Size);
                string[] labels = data.Labels is { } labelPath
                    ? [.. IdxFile.ReadLabels(labelPath).Take(n).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))]
                    : [.. Enumerable.Repeat("", n)];
                if (labels.Length != n) throw new InvalidDataException($"{data.Labels}: {labels.Length} labels for {n} images");
                return (images, labels, null);
            }
            case ImageSource.Folder:
            {
                var (images, labels) = ImageFolder.Read(data.Path!, data.Size, data.Grayscale);
                int n = Take(images.Count, data.Limit);
                return (Stack(images.Take(n)), [.. labels.Take(n)], null);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(data), data.Source, "unknown image source");
        }
    }

    private static int Take(int count, int limit) => limit > 0 ? Math.Min(count, limit) : count;

    private static Tensor Stack(IEnumerable<ImageData> images)
    {
        using var scope = NewDisposeScope();
        return stack(images.Select(i => i.ToTensor()).ToList(), 0).MoveToOuterDisposeScope();   // (N, C, H, W)
    }

    /// <summary>Pads (with zeros) or crops, centred, to size×size — as MNIST's 28×28 digits are padded to 32×32 for
    /// a convolutional autoencoder that halves the side three times.</summary>
    private static Tensor FitSide(Tensor images, int size)
    {
        using var scope = NewDisposeScope();
        long h = images.shape[2], w = images.shape[3];
        var x = images;
        if (h < size || w < size)
        {
            long padH = Math.Max(0, size - h), padW = Math.Max(0, size - w);
            x = nn.functional.pad(x, [padW / 2, padW - padW / 2, padH / 2, padH - padH / 2]);
        }
        long top = (x.shape[2] - size) / 2, left = (x.shape[3] - size) / 2;
        return x[.., .., TensorIndex.Slice(top, top + size), TensorIndex.Slice(left, left + size)].contiguous().MoveToOuterDisposeScope();
    }
}
