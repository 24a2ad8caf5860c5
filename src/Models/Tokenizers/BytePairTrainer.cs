using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GenLab.Models.Tokenizers;

/// <summary>Learns byte-level BPE merges (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
/// Subword Units", Algorithm 1; byte-level base vocabulary as in the GPT-2 paper).
///
/// minbpe recounts every pair of the whole text for every merge: O(merges × text). Here each merge touches only
/// the places where its pair occurs:
/// 1. the text is split into chunks, identical chunks are counted once with their frequency (tiny Shakespeare:
///    ~300k chunks, ~25k unique);
/// 2. every symbol of every unique chunk lives in one array with prev/next links, so merging a pair at a position
///    is O(1) and changes only the counts of the two neighbouring pairs;
/// 3. <c>where[pair]</c> lists the positions where the pair started when it was created (stale entries are
///    skipped on use), and a max-heap with lazy deletion yields the most frequent pair.
/// Total cost O(text + Σ occurrences of merged pairs · log pairs).
///
/// Tie rule: among pairs with the same count the one with the smallest (left id, right id) wins — the rule of
/// HuggingFace tokenizers' BpeTrainer. minbpe instead takes the pair seen first in the text; on its Wikipedia
/// example both rules give the same encoding.</summary>
internal static class BytePairTrainer
{
    /// <summary>Unique chunks of <paramref name="text"/> as UTF-8 bytes with their counts, in order of first
    /// appearance. <paramref name="splitter"/> null = the whole text is one chunk.</summary>
    public static List<(byte[] Bytes, int Count)> CountChunks(string text, Regex? splitter)
    {
        if (splitter is null) return [(Encoding.UTF8.GetBytes(text), 1)];
        var counts = new Dictionary<string, int>();
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (ValueMatch m in splitter.EnumerateMatches(text))
            CollectionsMarshal.GetValueRefOrAddDefault(lookup, text.AsSpan(m.Index, m.Length), out _)++;
        var chunks = new List<(byte[], int)>(counts.Count);
        foreach (var (chunk, count) in counts) chunks.Add((Encoding.UTF8.GetBytes(chunk), count));
        return chunks;
    }

    /// <summary>Learns <paramref name="mergeCount"/> merges; merge i creates id 256 + i from (Left, Right).</summary>
    public static List<(int Left, int Right)> LearnMerges(List<(byte[] Bytes, int Count)> chunks, int mergeCount)
    {
        // 1. Lay all unique chunks end to end; links stop at chunk edges (next = -1 / prev = -1).
        int total = 0;
        foreach (var (bytes, _) in chunks) total += bytes.Length;
        var sym = new int[total];      // symbol id at a position; -1 once merged into its left neighbour
        var next = new int[total];
        var prev = new int[total];
        var weight = new int[total];   // how often the chunk holding this position occurs
        int at = 0;
        foreach (var (bytes, count) in chunks)
        {
            for (int i = 0; i < bytes.Length; i++, at++)
            {
                sym[at] = bytes[i];
                weight[at] = count;
                prev[at] = i == 0 ? -1 : at - 1;
                next[at] = i == bytes.Length - 1 ? -1 : at + 1;
            }
        }

        // 2. Initial pair counts and positions.
        var counts = new Dictionary<long, long>();
        var where = new Dictionary<long, List<int>>();
        for (int i = 0; i < total; i++)
        {
            if (next[i] < 0) continue;
            long pair = Key(sym[i], sym[i + 1]);
            CollectionsMarshal.GetValueRefOrAddDefault(counts, pair, out _) += weight[i];
            Positions(where, pair).Add(i);
        }
        var heap = new PriorityQueue<long, (long Count, long Pair)>(counts.Count, HeapOrder.Instance);
        foreach (var (pair, count) in counts) heap.Enqueue(pair, (count, pair));

        // 3. Merge loop.
        var merges = new List<(int, int)>(mergeCount);
        var created = new HashSet<long>();
        for (int m = 0; m < mergeCount; m++)
        {
            long best = PopBest(heap, counts, merges.Count);
            int a = (int)(best >> 32), b = (int)best, z = 256 + m;
            merges.Add((a, b));
            created.Clear();
            // Positions are in increasing order (each list is filled during one merge step, scanning positions in
            // order), so overlapping runs like "a a a" merge left to right, as minbpe's merge() does.
            foreach (int i in where[best])
            {
                int j = next[i];
                if (sym[i] != a || j < 0 || sym[j] != b) continue; // stale: this occurrence was consumed already
                long w = weight[i];
                int p = prev[i], k = next[j];
                if (p >= 0)
                {
                    Add(counts, Key(sym[p], a), -w);
                    long np = Key(sym[p], z);
                    Add(counts, np, w);
                    Positions(where, np).Add(p);
                    created.Add(np);
                }
                if (k >= 0)
                {
                    Add(counts, Key(b, sym[k]), -w);
                    long nk = Key(z, sym[k]);
                    Add(counts, nk, w);
                    Positions(where, nk).Add(i);
                    created.Add(nk);
                    prev[k] = i;
                }
                sym[i] = z;
                next[i] = k;
                sym[j] = -1;
            }
            counts.Remove(best);
            where.Remove(best);
            // Only pairs holding the new id can have grown; every other count only shrank, which the lazy heap
            // catches on pop.
            foreach (long pair in created)
                if (counts.TryGetValue(pair, out long c) && c > 0) heap.Enqueue(pair, (c, pair));
        }
        return merges;
    }

    private static long PopBest(PriorityQueue<long, (long Count, long Pair)> heap, Dictionary<long, long> counts, int done)
    {
        while (heap.TryDequeue(out long pair, out var entry))
        {
            long current = counts.GetValueOrDefault(pair);
            if (current == entry.Count && current > 0) return pair;
            if (current > 0) heap.Enqueue(pair, (current, pair)); // count shrank since it was queued
        }
        throw new ArgumentException(
            $"the corpus has no adjacent pair left to merge after {done} merges; ask for vocabSize <= {256 + done} or train on more text");
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static void Add(Dictionary<long, long> counts, long pair, long delta) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, pair, out _) += delta;

    private static List<int> Positions(Dictionary<long, List<int>> where, long pair)
    {
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(where, pair, out _);
        return list ??= [];
    }

    /// <summary>Min-heap order that puts the highest count first, then the smallest pair key.</summary>
    private sealed class HeapOrder : IComparer<(long Count, long Pair)>
    {
        public static readonly HeapOrder Instance = new();

        public int Compare((long Count, long Pair) x, (long Count, long Pair) y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair);
    }
}
