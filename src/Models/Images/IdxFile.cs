using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>The IDX format of MNIST and Fashion-MNIST (LeCun et al., yann.lecun.com/exdb/mnist): a big-endian
/// header — two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions — then one big-endian
/// int32 per dimension, then the values row-major. Images are magic 0x00000803 with dimensions (N, rows, cols);
/// labels are 0x00000801 with dimension (N). The distributed files are gzip-compressed; both forms are read
/// (gzip is recognised by its magic bytes 1f 8b, not by the file name).</summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an IDX image file as (N, 1, rows, cols) float32 in [0, 1] (byte / 255). Caller owns it.</summary>
    /// <exception cref="InvalidDataException">bad magic, truncated data, or a size that does not match the header;
    /// the message names the file.</exception>
    public static Tensor ReadImages(string path)
    {
        var bytes = ReadAllDecompressed(path);
        var dims = ReadHeader(path, bytes, ImagesMagic, "image");
        long n = dims[0], rows = dims[1], cols = dims[2];
        // Three int32 sizes can overflow a long only in a corrupt header; the product then exceeds any file anyway.
        long expected = rows == 0 || cols == 0 || n <= long.MaxValue / rows / cols ? n * rows * cols : long.MaxValue;
        var pixels = Payload(path, bytes, headerLength: 16, expected, $"{n} images of {rows}×{cols}");
        using var scope = NewDisposeScope();
        var raw = tensor(pixels, [n, 1, rows, cols], ScalarType.Byte);           // (N, 1, H, W) uint8
        return raw.to_type(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();   // (N, 1, H, W) in [0, 1]
    }

    /// <summary>Reads an IDX label file (class ids 0–255) as one long per sample.</summary>
    /// <exception cref="InvalidDataException">bad magic, truncated data, or a size that does not match the header.</exception>
    public static long[] ReadLabels(string path)
    {
        var bytes = ReadAllDecompressed(path);
        long n = ReadHeader(path, bytes, LabelsMagic, "label")[0];
        var labels = Payload(path, bytes, headerLength: 8, expected: n, $"{n} labels");
        return Array.ConvertAll(labels, b => (long)b);
    }

    /// <summary>Writes (N, rows, cols) bytes as an IDX image file; gzip-compressed when the path ends in ".gz".</summary>
    public static void WriteImages(string path, byte[,,] images)
    {
        int n = images.GetLength(0), rows = images.GetLength(1), cols = images.GetLength(2);
        var bytes = new byte[16 + n * rows * cols];
        WriteHeader(bytes, ImagesMagic, [n, rows, cols]);
        int o = 16;
        for (int i = 0; i < n; i++)
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < cols; x++)
            bytes[o++] = images[i, y, x];
        WriteMaybeCompressed(path, bytes);
    }

    /// <summary>Writes class ids as an IDX label file; gzip-compressed when the path ends in ".gz".</summary>
    public static void WriteLabels(string path, byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        WriteHeader(bytes, LabelsMagic, [labels.Length]);
        labels.CopyTo(bytes, 8);
        WriteMaybeCompressed(path, bytes);
    }

    private static byte[] ReadAllDecompressed(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            return plain.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message})", e);
        }
    }

    /// <summary>Checks the magic number and returns the dimensions (as many as the magic's last byte says).</summary>
    private static long[] ReadHeader(string path, byte[] bytes, int expectedMagic, string what)
    {
        int rank = expectedMagic & 0xff;
        if (bytes.Length < 4)
            throw new InvalidDataException($"{path}: truncated IDX file ({bytes.Length} bytes; the header alone needs {4 + 4 * rank})");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            string hint = magic switch
            {
                ImagesMagic => " (this is an IDX image file)",
                LabelsMagic => " (this is an IDX label file)",
                _ => "",
            };
            throw new InvalidDataException(
                $"{path}: magic number 0x{magic:X8} is not an IDX {what} file (expected 0x{expectedMagic:X8}){hint}");
        }
        if (bytes.Length < 4 + 4 * rank)
            throw new InvalidDataException($"{path}: truncated IDX header ({bytes.Length} bytes, needs {4 + 4 * rank})");
        var dims = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0) throw new InvalidDataException($"{path}: negative size {dims[d]} in dimension {d} of the header");
        }
        return dims;
    }

    private static byte[] Payload(string path, byte[] bytes, int headerLength, long expected, string description)
    {
        long actual = bytes.Length - headerLength;
        if (actual < expected)
            throw new InvalidDataException(
                $"{path}: truncated IDX file: the header promises {description} ({expected} bytes), the file holds {actual}");
        if (actual > expected)
            throw new InvalidDataException(
                $"{path}: count mismatch: the header promises {description} ({expected} bytes), the file holds {actual}");
        return bytes[headerLength..];
    }

    private static void WriteHeader(byte[] bytes, int magic, int[] dims)
    {
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
    }

    private static void WriteMaybeCompressed(string path, byte[] bytes)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(bytes);
    }
}
