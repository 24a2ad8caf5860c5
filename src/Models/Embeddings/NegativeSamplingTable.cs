using GenLab.Models.Data;

namespace GenLab.Models.Embeddings;

/// <summary>Draws negative words from the unigram distribution raised to the 3/4 power (Mikolov et al. 2013,
/// "Distributed Representations of Words and Phrases", section 2.2: U(w)^{3/4}/Z beat both the unigram and the
/// uniform distribution). word2vec.c fills a table of 1e8 word indices in those proportions and indexes it with a
/// random number; we use Walker's alias method instead (Vose's construction): exact probabilities, O(1) per draw
/// like the table, and V entries instead of 400 MB. The size is what makes it fast: with a word2vec.c table sized to
/// give tiny Shakespeare's rarest word 100 slots (1.5 million entries, 6 MB) the hogwild skip-gram took about 2× the
/// CPU time with fresh negatives per pair and 1.15× with shared ones, against the alias table's 3,330 columns (26 KB);
/// a 33,300-entry table was as fast as the alias, but gave the rarest words their share ±45 %.</summary>
public sealed class NegativeSamplingTable
{
    public const double Power = 0.75;

    private readonly double[] _accept;   // (V,) probability of keeping column i rather than taking its alias
    private readonly int[] _alias;       // (V,)
    private readonly Column[] _columns;  // (V,) the same, packed for one load per draw of Sample(ulong)

    /// <summary>Column i keeps word i when a 16-bit coin falls below <see cref="Threshold"/> (accept·65536), else
    /// gives <see cref="Alias"/>.</summary>
    private readonly record struct Column(uint Threshold, int Alias);

    /// <summary>P(word i) = count_i^0.75 / Σ_j count_j^0.75.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    public NegativeSamplingTable(IReadOnlyList<long> counts)
    {
        int n = counts.Count;
        if (n == 0) throw new ArgumentException("needs at least one word", nameof(counts));
        var p = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) z += p[i] = Math.Pow(counts[i], Power);
        if (!(z > 0)) throw new ArgumentException("all counts are zero", nameof(counts));
        for (int i = 0; i < n; i++) p[i] /= z;
        Probabilities = p;

        // Vose: scale to mean 1, pair each under-full column with an over-full one that tops it up.
        _accept = new double[n];
        _alias = new int[n];
        var scaled = p.Select(x => x * n).ToArray();
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = n - 1; i >= 0; i--) (scaled[i] < 1 ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            _accept[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        foreach (int i in large) { _accept[i] = 1; _alias[i] = i; }
        foreach (int i in small) { _accept[i] = 1; _alias[i] = i; }   // only rounding leftovers
        _columns = [.. Enumerable.Range(0, n).Select(i => new Column((uint)Math.Round(_accept[i] * 65536), _alias[i]))];
    }

    /// <summary>A draw from one step of word2vec.c's generator (<see cref="Word2VecHogwild.Next"/>): bits 16–47 pick
    /// the column by multiply-shift, as word2vec.c's table index; its top 16 bits toss the column's coin.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Sample(ulong random)
    {
        int i = (int)(((random >> 16) & 0xFFFF_FFFFUL) * (ulong)_columns.Length >> 32);
        var column = _columns[i];
        return (uint)(random >> 48) < column.Threshold ? i : column.Alias;
    }

    public int Sample(SplitMix64 rng)
    {
        // One 64-bit draw: the high 32 bits pick the column (multiply-shift), the low 32 bits toss its coin.
        ulong r = rng.NextUInt64();
        int column = (int)(((r >> 32) * (ulong)_accept.Length) >> 32);
        double u = (uint)r * (1.0 / 4294967296.0);
        return u < _accept[column] ? column : _alias[column];
    }
}
