using SkiaSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>An image as the models see it: <see cref="Channels"/> planes (1 = gray, 3 = RGB) of
/// <see cref="Height"/>×<see cref="Width"/> floats in [0, 1], stored channel-major (C, H, W) like a PyTorch
/// image tensor, so <see cref="ToTensor"/> is a copy with no reordering. PNG is the exchange format for figures
/// and data folders; 8-bit quantisation happens only there.</summary>
public sealed class ImageData
{
    public ImageData(int width, int height, int channels, float[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (gray) or 3 (RGB)");
        if (pixels.Length != channels * height * width)
            throw new ArgumentException(
                $"pixels has {pixels.Length} values; a {channels}×{height}×{width} image needs {channels * height * width}",
                nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    /// <summary>(C, H, W) row-major: index <c>(c * Height + y) * Width + x</c>.</summary>
    public float[] Pixels { get; }

    public float this[int channel, int y, int x] => Pixels[(channel * Height + y) * Width + x];

    /// <summary>(C, H, W) float32 on the CPU. Caller owns it.</summary>
    public Tensor ToTensor() => tensor(Pixels, [Channels, Height, Width], ScalarType.Float32);

    /// <summary>From a (C, H, W) tensor with C ∈ {1, 3}, e.g. a decoder's output; values are clamped to [0, 1].
    /// The tensor is not disposed.</summary>
    public static ImageData FromTensor(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] is not (1 or 3))
            throw new ArgumentException(
                $"expected a (C, H, W) image tensor with C = 1 or 3, got shape ({string.Join(", ", image.shape)})",
                nameof(image));
        using var scope = NewDisposeScope();
        var values = image.detach().to(ScalarType.Float32).cpu().clamp(0, 1).contiguous();   // (C, H, W)
        return new ImageData((int)image.shape[2], (int)image.shape[1], (int)image.shape[0], values.data<float>().ToArray());
    }

    /// <summary>The same image with one channel: ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B).</summary>
    public ImageData ToGray()
    {
        if (Channels == 1) return this;
        int plane = Width * Height;
        var gray = new float[plane];
        for (int i = 0; i < plane; i++)
            gray[i] = 0.299f * Pixels[i] + 0.587f * Pixels[plane + i] + 0.114f * Pixels[2 * plane + i];
        return new ImageData(Width, Height, 1, gray);
    }

    /// <summary>8-bit PNG: gray for one channel, opaque RGB for three. Values are clamped to [0, 1] and rounded
    /// to the nearest of 256 levels, so any value k/255 survives <see cref="FromPng(byte[])"/> exactly.</summary>
    public byte[] ToPng()
    {
        int plane = Width * Height;
        using var bitmap = Channels == 1
            ? new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque))
            : new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var bytes = new byte[bitmap.ByteCount];
        int stride = bitmap.RowBytes;
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            int i = y * Width + x;
            if (Channels == 1)
            {
                bytes[y * stride + x] = ToByte(Pixels[i]);
                continue;
            }
            int o = y * stride + 4 * x;
            bytes[o] = ToByte(Pixels[i]);
            bytes[o + 1] = ToByte(Pixels[plane + i]);
            bytes[o + 2] = ToByte(Pixels[2 * plane + i]);
            bytes[o + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void SavePng(string path) => File.WriteAllBytes(path, ToPng());

    public static ImageData FromPng(string path) => FromPng(File.ReadAllBytes(path));

    /// <summary>Decodes a PNG (or any format SkiaSharp reads). Gray images give one channel, everything else three;
    /// an alpha channel is dropped (not composited), so save opaque images.</summary>
    /// <summary>RGB pixels of an opaque 32-bit bitmap. With an opaque image premultiplied and straight alpha agree,
    /// so the bytes read straight out.</summary>
    internal static ImageData FromOpaqueBitmap(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888) throw new ArgumentException($"expected an RGBA8888 bitmap, got {bitmap.ColorType}");
        int width = bitmap.Width, height = bitmap.Height, plane = width * height, stride = bitmap.RowBytes;
        var bytes = new byte[bitmap.ByteCount];
        System.Runtime.InteropServices.Marshal.Copy(bitmap.GetPixels(), bytes, 0, bytes.Length);
        var pixels = new float[3 * plane];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        for (int c = 0; c < 3; c++)
            pixels[c * plane + y * width + x] = bytes[y * stride + 4 * x + c] / 255f;
        return new ImageData(width, height, 3, pixels);
    }

    public static ImageData FromPng(byte[] png)
    {
        using var codec = SKCodec.Create(new MemoryStream(png))
            ?? throw new ArgumentException("not a decodable image (SkiaSharp found no codec for these bytes)", nameof(png));
        bool gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height,
            gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new ArgumentException($"image decoding failed: {result}", nameof(png));

        int width = info.Width, height = info.Height, stride = bitmap.RowBytes, plane = width * height;
        var bytes = new byte[bitmap.ByteCount];
        System.Runtime.InteropServices.Marshal.Copy(bitmap.GetPixels(), bytes, 0, bytes.Length);
        var pixels = new float[(gray ? 1 : 3) * plane];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int i = y * width + x;
            if (gray)
            {
                pixels[i] = bytes[y * stride + x] / 255f;
                continue;
            }
            int o = y * stride + 4 * x;
            pixels[i] = bytes[o] / 255f;
            pixels[plane + i] = bytes[o + 1] / 255f;
            pixels[2 * plane + i] = bytes[o + 2] / 255f;
        }
        return new ImageData(width, height, gray ? 1 : 3, pixels);
    }

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
