using SkiaSharp;

namespace GenLab.Models.Images;

/// <summary>A folder of PNG/JPEG images as a labelled dataset, laid out like torchvision's <c>ImageFolder</c>:
/// <c>root/cat/001.png</c>, <c>root/dog/xyz.jpg</c> — the class is the name of the immediate sub-folder. A folder
/// with no sub-folders is one unlabelled class (label ""). Every image becomes size×size: resized so that its short
/// side is <c>size</c>, then center-cropped (torchvision's <c>Resize(size)</c> + <c>CenterCrop(size)</c>), so no
/// image is distorted.</summary>
public static class ImageFolder
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Reads every image under <paramref name="directory"/>, classes and files in ordinal name order.</summary>
    /// <param name="size">Side of the square output images, in pixels.</param>
    /// <param name="grayscale">One channel (BT.601 luma) instead of three; gray files become three equal channels
    /// when false, so every image in the result has the same shape. Alpha is composited over black; EXIF
    /// orientation is ignored.</param>
    /// <exception cref="DirectoryNotFoundException">the folder does not exist.</exception>
    /// <exception cref="InvalidDataException">a folder (or class folder) without images, or a file that does not
    /// decode or is truncated; the message names it.</exception>
    public static (IReadOnlyList<ImageData> Images, IReadOnlyList<string> Labels) Read(string directory, int size, bool grayscale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"image folder {directory} does not exist");

        var classFolders = Directory.GetDirectories(directory)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sources = classFolders.Count == 0
            ? [(Label: "", Folder: directory, Files: ImageFiles(directory, SearchOption.TopDirectoryOnly))]
            : classFolders.Select(d => (Label: Path.GetFileName(d), Folder: d, Files: ImageFiles(d, SearchOption.AllDirectories))).ToList();

        var images = new List<ImageData>();
        var labels = new List<string>();
        foreach (var (label, folder, files) in sources)
        {
            if (files.Count == 0)
                throw new InvalidDataException($"image folder {folder} holds no PNG or JPEG images ({string.Join(", ", Extensions)})");
            foreach (string file in files)
            {
                var image = LoadSquare(file, size);
                images.Add(grayscale ? image.ToGray() : image);
                labels.Add(label);
            }
        }
        return (images, labels);
    }

    /// <summary>Decodes one file and returns it as a size×size RGB image: scaled so the short side is
    /// <paramref name="size"/>, center-cropped along the long side.</summary>
    internal static ImageData LoadSquare(string path, int size)
    {
        // Decoded up front, not lazily at draw time: a truncated file then fails here, by name, instead of being
        // drawn as a partly black image.
        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException($"{path}: not a decodable PNG or JPEG image");
        var decodedInfo = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(decodedInfo);
        var result = codec.GetPixels(decodedInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"{path}: truncated image (the file ends before the last row)"
                : $"{path}: image decoding failed ({result})");
        using var source = SKImage.FromBitmap(decoded);

        // The center square of the source, in source pixels, scaled onto the whole target: one resample that equals
        // resize-short-side-then-crop. Mipmaps keep large photos from aliasing when shrunk to a few dozen pixels.
        int side = Math.Min(source.Width, source.Height);
        float left = (source.Width - side) / 2f, top = (source.Height - side) / 2f;
        var crop = SKRect.Create(left, top, side, side);

        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
            canvas.DrawImage(source, crop, SKRect.Create(size, size), sampling);
        }

        // Premultiplied over an opaque black background is the composited colour, so bytes read straight out.
        return ImageData.FromOpaqueBitmap(bitmap);
    }

    private static List<string> ImageFiles(string folder, SearchOption option) =>
        Directory.GetFiles(folder, "*", option)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
}
