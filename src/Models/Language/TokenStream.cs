using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using GenLab.Models.Tokenizers;

namespace GenLab.Models.Language;

/// <summary>A text file (or a part of one) as token ids, cached on disk. Tokenizing a few MB with a byte-level BPE takes seconds; the
/// cache file <c>&lt;sha256&gt;.tokens</c> is keyed by the SHA-256 of the text's bytes and the tokenizer's saved file,
/// so a changed text or a retrained tokenizer can never pick up stale ids.
///
/// Cache format (little-endian): magic <c>GLTK</c>, int32 version (1), int32 count, then count int32 ids. It is
/// written to a temporary file and renamed, so a crash never leaves a half-written cache under the real name; a
/// cache that is truncated, has the wrong header or holds an id outside the vocabulary is ignored and rebuilt.</summary>
/// <param name="Ids">The token ids of the whole text.</param>
/// <param name="CachePath">The cache file that holds them.</param>
/// <param name="FromCache">True when the ids were read from an existing cache, false when the text was tokenized.</param>
public sealed record TokenStream(int[] Ids, string CachePath, bool FromCache)
{
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "GLTK"u8;
    private const int HeaderBytes = 12;

    /// <summary>Token ids of <paramref name="textPath"/> (read as UTF-8) under <paramref name="tokenizer"/>, from the
    /// cache in <paramref name="cacheDirectory"/> when a valid one exists, otherwise tokenized and cached.</summary>
    public static TokenStream Load(string textPath, ITokenizer tokenizer, string cacheDirectory)
    {
        if (!File.Exists(textPath)) throw new FileNotFoundException($"{textPath}: text file not found", textPath);
        return FromBytes(File.ReadAllBytes(textPath), tokenizer, cacheDirectory);
    }

    /// <summary>Token ids of <paramref name="text"/> (a part of a file, such as the training documents of a
    /// <see cref="DocumentSplit"/>), cached under the same key as a file holding its UTF-8 bytes.</summary>
    public static TokenStream OfText(string text, ITokenizer tokenizer, string cacheDirectory) =>
        FromBytes(new UTF8Encoding(false).GetBytes(text), tokenizer, cacheDirectory);

    private static TokenStream FromBytes(byte[] textBytes, ITokenizer tokenizer, string cacheDirectory)
    {
        string cachePath = Path.Combine(cacheDirectory, Key(textBytes, tokenizer) + ".tokens");

        if (TryRead(cachePath, tokenizer.VocabularySize) is { } cached) return new TokenStream(cached, cachePath, true);

        string text = new UTF8Encoding(false, true).GetString(textBytes);
        int[] ids = [.. tokenizer.Encode(text)];
        Directory.CreateDirectory(cacheDirectory);
        Write(cachePath, ids);
        return new TokenStream(ids, cachePath, false);
    }

    /// <summary>Hex SHA-256 of (text length, text bytes, tokenizer file bytes); the length keeps the two parts from
    /// sliding into each other.</summary>
    private static string Key(byte[] textBytes, ITokenizer tokenizer)
    {
        string tokenizerFile = Path.Combine(Path.GetTempPath(), $"genlab-tokenizer-{Guid.NewGuid():N}.txt");
        try
        {
            tokenizer.Save(tokenizerFile);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, textBytes.LongLength);
            hash.AppendData(length);
            hash.AppendData(textBytes);
            hash.AppendData(File.ReadAllBytes(tokenizerFile));
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            File.Delete(tokenizerFile);
        }
    }

    private static int[]? TryRead(string path, int vocabularySize)
    {
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 4).SequenceEqual(Magic)) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != FormatVersion) return null;
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (count < 0 || bytes.Length != HeaderBytes + 4L * count) return null;
        var ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(HeaderBytes + 4 * i));
            if ((uint)ids[i] >= (uint)vocabularySize) return null;
        }
        return ids;
    }

    private static void Write(string path, int[] ids)
    {
        var bytes = new byte[HeaderBytes + 4L * ids.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), ids.Length);
        for (int i = 0; i < ids.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderBytes + 4 * i), ids[i]);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
