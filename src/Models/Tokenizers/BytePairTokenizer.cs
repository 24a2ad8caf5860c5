using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace GenLab.Models.Tokenizers;

/// <summary>Byte-level byte-pair encoding (Sennrich et al. 2016 over UTF-8 bytes, as in the GPT-2 paper), the
/// tokenizer of minbpe and tiktoken. Ids 0..255 are the 256 bytes (in the order of <c>byteIds</c>: identity for
/// trained tokenizers, tiktoken's own order for cl100k), merge i creates id 256 + i, and special tokens carry
/// ids of their own above those.
///
/// Example (Wikipedia's): trained on <c>aaabdaaabac</c> with vocabulary 259, the three merges are
/// aa→256, ab→257, then (256, 257)→258, and the text encodes to [258, 100, 258, 97, 99].
///
/// Encoding is tiktoken's: text → chunks by the split regex → each chunk's bytes are merged by repeatedly joining
/// the adjacent pair whose joined bytes form the lowest-ranked token (rank = id), leftmost first on ties. For a
/// trained tokenizer the rank is the merge order, so this is minbpe's "apply the earliest learned merge first".
/// Encoded chunks are cached (see <see cref="CacheCapacity"/>).</summary>
public sealed partial class BytePairTokenizer : ITokenizer
{
    /// <summary>Chunks at most this long are cached: regex chunks are words, numbers and punctuation runs, so text
    /// repeats them and a cache hit skips UTF-8 conversion and merging.</summary>
    private const int MaxCachedChunkChars = 128;

    /// <summary>At most this many chunks are cached (~tens of MB at most); later misses are encoded, not stored,
    /// so memory stays bounded on unbounded input while common chunks, seen early, stay cached.</summary>
    public const int CacheCapacity = 1 << 18;

    /// <summary>Chunks up to this many bytes merge with tiktoken's O(n²) scan on the stack; longer ones (no-split
    /// mode: the whole text) use a heap, O(n log n).</summary>
    private const int MaxScanMergeBytes = 256;

    private readonly byte[][] _tokens;   // id → bytes for the mergeable ids 0.._tokens.Length-1
    private readonly int[] _byteIds;     // byte value → id
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _idOf; // bytes → id (= rank)
    private (int Left, int Right)[]? _merges;
    private readonly Dictionary<string, int> _specials;
    private readonly Dictionary<int, byte[]> _specialBytes;
    private readonly Regex? _splitter;
    private readonly Regex? _specialFinder;
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cache;
    private int _cacheCount;

    private BytePairTokenizer(BpeSplit split, byte[][] tokens, int[] byteIds, (int, int)[]? merges,
        IReadOnlyDictionary<string, int>? specials, string? name)
    {
        Split = split;
        _tokens = tokens;
        _byteIds = byteIds;
        _merges = merges;
        var ids = new Dictionary<byte[], int>(tokens.Length, ByteSequenceComparer.Instance);
        // A byte sequence learned twice through different merge paths keeps its lowest id, as tiktoken would.
        for (int id = 0; id < tokens.Length; id++) ids.TryAdd(tokens[id], id);
        _idOf = ids.GetAlternateLookup<ReadOnlySpan<byte>>();

        _specials = new Dictionary<string, int>(StringComparer.Ordinal);
        _specialBytes = [];
        int vocabularySize = tokens.Length;
        foreach (var (text, id) in specials ?? new Dictionary<string, int>())
        {
            if (string.IsNullOrEmpty(text) || text.Contains('\n') || text.Contains('\r'))
                throw new ArgumentException($"special token '{text}' must be non-empty and on one line", nameof(specials));
            if (id < tokens.Length)
                throw new ArgumentException($"special token '{text}' has id {id}, which belongs to a byte or merge (0..{tokens.Length - 1})", nameof(specials));
            if (!_specialBytes.TryAdd(id, Encoding.UTF8.GetBytes(text)))
                throw new ArgumentException($"special token '{text}' reuses id {id}", nameof(specials));
            _specials.Add(text, id);
            vocabularySize = Math.Max(vocabularySize, id + 1);
        }
        VocabularySize = vocabularySize;
        _splitter = BpeSplitPatterns.For(split);
        // Longest first, so a special that is a prefix of another never cuts it.
        _specialFinder = _specials.Count == 0 ? null : new Regex(
            string.Join('|', _specials.Keys.OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).Select(Regex.Escape)),
            RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _cache = new ConcurrentDictionary<string, int[]>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        Name = name ?? $"bpe {(split == BpeSplit.None ? "no-split" : BpeSplitPatterns.ToFileName(split) + "-regex")} {VocabularySize}";
    }

    public string Name { get; }

    public int VocabularySize { get; }

    public BpeSplit Split { get; }

    /// <summary>Number of byte and merge ids (vocabulary without the special tokens).</summary>
    public int MergeableCount => _tokens.Length;

    public IReadOnlyDictionary<string, int> SpecialTokens => _specials;

    /// <summary>The merges in order: merge i joined (Left, Right) into id 256 + i. For a tokenizer built from
    /// tiktoken ranks they are recovered on first use by re-running BPE on each token's bytes with only the
    /// lower ranks allowed (minbpe's <c>recover_merges</c>).</summary>
    public IReadOnlyList<(int Left, int Right)> Merges => _merges ??= RecoverMerges();

    /// <summary>The bytes of a byte or merge id.</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokens[id];

    /// <summary>Learns a tokenizer from <paramref name="text"/>: <paramref name="vocabSize"/> − 256 merges, then the
    /// special tokens (which need ids ≥ <paramref name="vocabSize"/>). Chunks never merge across the split.</summary>
    public static BytePairTokenizer Train(string text, int vocabSize, BpeSplit split, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (vocabSize < 256)
            throw new ArgumentException($"vocabSize {vocabSize}: a byte-level vocabulary must be at least 256 (one id per byte)", nameof(vocabSize));
        if (vocabSize == 256)
            throw new ArgumentException("vocabSize 256 is just the bytes: no merges to learn; ask for more than 256", nameof(vocabSize));
        if (text.Length == 0) throw new ArgumentException("the training corpus is empty", nameof(text));

        var chunks = BytePairTrainer.CountChunks(text, BpeSplitPatterns.For(split));
        var merges = BytePairTrainer.LearnMerges(chunks, vocabSize - 256);
        return FromMerges(split, IdentityByteIds(), [.. merges], specialTokens);
    }

    /// <summary>Builds the vocabulary from byte ids and merges (ids 256 + i). Throws naming the merge that refers to
    /// an id not yet defined.</summary>
    internal static BytePairTokenizer FromMerges(BpeSplit split, int[] byteIds, (int Left, int Right)[] merges,
        IReadOnlyDictionary<string, int>? specials, string? name = null)
    {
        var tokens = new byte[256 + merges.Length][];
        for (int b = 0; b < 256; b++) tokens[byteIds[b]] = [(byte)b];
        for (int i = 0; i < merges.Length; i++)
        {
            var (left, right) = merges[i];
            if ((uint)left >= 256 + i || (uint)right >= 256 + i)
                throw new ArgumentException($"merge {i} ({left}, {right}) uses an id not defined before it (ids so far: 0..{255 + i})");
            tokens[256 + i] = [.. tokens[left], .. tokens[right]];
        }
        return new BytePairTokenizer(split, tokens, byteIds, merges, specials, name);
    }

    internal static int[] IdentityByteIds() => Enumerable.Range(0, 256).ToArray();

    public IReadOnlyList<int> Encode(string text) => Encode(text, AllowedSpecial.None);

    /// <summary>Encodes <paramref name="text"/>; registered special tokens in it become their ids where
    /// <paramref name="allowed"/> allows them, and are an error otherwise.</summary>
    public IReadOnlyList<int> Encode(string text, AllowedSpecial allowed)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(allowed);
        var output = new List<int>(text.Length / 3 + 4);
        if (_specialFinder is null)
        {
            EncodeOrdinary(text, output);
            return output;
        }
        int done = 0;
        foreach (ValueMatch m in _specialFinder.EnumerateMatches(text))
        {
            string special = text.Substring(m.Index, m.Length);
            int id = _specials[special];
            if (!allowed.Allows(special))
                throw new ArgumentException(
                    $"text contains the special token '{special}' (at index {m.Index}); to encode it as id {id} call " +
                    $"Encode(text, AllowedSpecial.All) or Encode(text, AllowedSpecial.Of(\"{special}\"))", nameof(text));
            EncodeOrdinary(text.AsSpan(done, m.Index - done), output);
            output.Add(id);
            done = m.Index + m.Length;
        }
        EncodeOrdinary(text.AsSpan(done), output);
        return output;
    }

    /// <summary>Encodes text with no special-token handling: a special token's text is ordinary text here.</summary>
    public IReadOnlyList<int> EncodeOrdinary(string text)
    {
        var output = new List<int>(text.Length / 3 + 4);
        EncodeOrdinary(text, output);
        return output;
    }

    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty) return;
        if (_splitter is null)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text.ToArray());
            MergeChunk(bytes, output);
            return;
        }
        foreach (ValueMatch m in _splitter.EnumerateMatches(text)) EncodeChunk(text.Slice(m.Index, m.Length), output);
    }

    private void EncodeChunk(ReadOnlySpan<char> chunk, List<int> output)
    {
        bool cacheable = chunk.Length <= MaxCachedChunkChars;
        if (cacheable && _cache.TryGetValue(chunk, out int[]? cached))
        {
            output.AddRange(cached);
            return;
        }
        int maxBytes = Encoding.UTF8.GetMaxByteCount(chunk.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        int n = Encoding.UTF8.GetBytes(chunk, buffer);
        int start = output.Count;
        MergeChunk(buffer[..n], output);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        if (cacheable && Volatile.Read(ref _cacheCount) < CacheCapacity
            && _cache.TryAdd(chunk, output.GetRange(start, output.Count - start).ToArray()))
            Interlocked.Increment(ref _cacheCount);
    }

    /// <summary>Appends the ids of one chunk's bytes.</summary>
    private void MergeChunk(ReadOnlySpan<byte> piece, List<int> output)
    {
        if (piece.Length == 1)
        {
            output.Add(_byteIds[piece[0]]);
            return;
        }
        if (piece.Length > MaxScanMergeBytes)
        {
            HeapMerge(piece, output);
            return;
        }
        Span<int> starts = stackalloc int[piece.Length + 1];
        Span<int> ranks = stackalloc int[piece.Length + 1];
        int count = ScanMerge(piece, starts, ranks, int.MaxValue);
        for (int i = 0; i + 1 < count; i++) output.Add(IdOf(piece[starts[i]..starts[i + 1]]));
    }

    private int IdOf(ReadOnlySpan<byte> part) => part.Length == 1 ? _byteIds[part[0]] : _idOf[part];

    /// <summary>Rank of the token spelled by <paramref name="bytes"/> if it is below <paramref name="maxRank"/>,
    /// else int.MaxValue ("not mergeable").</summary>
    private int RankBelow(ReadOnlySpan<byte> bytes, int maxRank) =>
        _idOf.TryGetValue(bytes, out int rank) && rank < maxRank ? rank : int.MaxValue;

    /// <summary>tiktoken's <c>byte_pair_merge</c>: parts start as single bytes; repeatedly join the adjacent pair
    /// with the lowest rank (leftmost on ties) until none is a token. Fills <paramref name="starts"/> with the part
    /// boundaries and returns how many (parts + 1). O(n²), for short chunks.</summary>
    private int ScanMerge(ReadOnlySpan<byte> piece, Span<int> starts, Span<int> ranks, int maxRank)
    {
        int n = piece.Length, count = n + 1;
        // ranks[i] = rank of parts i and i+1 joined, i.e. bytes starts[i]..starts[i+2].
        for (int i = 0; i <= n; i++) starts[i] = i;
        for (int i = 0; i < n - 1; i++) ranks[i] = RankBelow(piece.Slice(i, 2), maxRank);
        ranks[n - 1] = ranks[n] = int.MaxValue;
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i < count - 2; i++)
                if (ranks[i] < bestRank) { bestRank = ranks[i]; best = i; }
            if (best < 0) return count;
            // Join parts best and best+1: drop boundary best+1, then re-rank the pairs either side.
            starts[(best + 2)..count].CopyTo(starts[(best + 1)..]);
            ranks[(best + 2)..count].CopyTo(ranks[(best + 1)..]);
            count--;
            ranks[best] = best + 2 < count ? RankBelow(piece[starts[best]..starts[best + 2]], maxRank) : int.MaxValue;
            if (best > 0) ranks[best - 1] = RankBelow(piece[starts[best - 1]..starts[best + 1]], maxRank);
        }
    }

    /// <summary>Same result as <see cref="ScanMerge"/> (lowest rank first, leftmost on ties) in O(n log n): parts
    /// are a linked list over byte positions and candidate pairs wait in a min-heap keyed (rank, start); an entry
    /// is stale once either of its parts has grown.</summary>
    private void HeapMerge(ReadOnlySpan<byte> piece, List<int> output)
    {
        int n = piece.Length;
        int[] end = ArrayPool<int>.Shared.Rent(n);  // end[start] of a live part; -1 once absorbed into its left
        int[] prev = ArrayPool<int>.Shared.Rent(n); // start of the part to the left
        var heap = new PriorityQueue<(int Start, int Mid, int End), (int Rank, int Start)>(n);
        for (int i = 0; i < n; i++)
        {
            end[i] = i + 1;
            prev[i] = i - 1;
            if (i + 1 < n && RankBelow(piece.Slice(i, 2), int.MaxValue) is var r && r != int.MaxValue)
                heap.Enqueue((i, i + 1, i + 2), (r, i));
        }
        while (heap.TryDequeue(out var pair, out _))
        {
            var (left, mid, right) = pair;
            if (end[left] != mid || end[mid] != right) continue; // a part changed since this pair was queued
            end[left] = right;
            end[mid] = -1;
            if (right < n) prev[right] = left;
            if (left > 0)
            {
                int p = prev[left];
                int r = RankBelow(piece[p..right], int.MaxValue);
                if (r != int.MaxValue) heap.Enqueue((p, left, right), (r, p));
            }
            if (right < n)
            {
                int r = RankBelow(piece[left..end[right]], int.MaxValue);
                if (r != int.MaxValue) heap.Enqueue((left, right, end[right]), (r, left));
            }
        }
        for (int i = 0; i < n; i = end[i]) output.Add(IdOf(piece[i..end[i]]));
        ArrayPool<int>.Shared.Return(end);
        ArrayPool<int>.Shared.Return(prev);
    }

    /// <summary>Concatenates the ids' bytes and decodes them as UTF-8; an invalid sequence (a token boundary inside a
    /// character, a lone continuation byte) becomes U+FFFD instead of an error.</summary>
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new ArrayBufferWriter<byte>(ids.Count * 4 + 16);
        foreach (int id in ids)
        {
            ReadOnlySpan<byte> token = (uint)id < (uint)_tokens.Length ? _tokens[id]
                : _specialBytes.TryGetValue(id, out byte[]? special) ? special
                : throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in this vocabulary of {VocabularySize}");
            bytes.Write(token);
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan); // Encoding.UTF8 replaces invalid bytes with U+FFFD
    }

    private (int, int)[] RecoverMerges()
    {
        var merges = new (int, int)[_tokens.Length - 256];
        for (int id = 256; id < _tokens.Length; id++)
        {
            byte[] token = _tokens[id];
            var starts = new int[token.Length + 1];
            var ranks = new int[token.Length + 1];
            int count = ScanMerge(token, starts, ranks, id);
            if (count != 3)
                throw new InvalidDataException($"token {id} cannot be built from two lower-ranked tokens; the ranks are not a BPE vocabulary");
            merges[id - 256] = (IdOf(token.AsSpan(0, starts[1])), IdOf(token.AsSpan(starts[1])));
        }
        return merges;
    }
}
