namespace GenLab.Models.Embeddings;

/// <summary>word2vec.c's precomputed sigmoid ("expTable"): σ(f) at 1000 points over [−MAX_EXP, MAX_EXP] with MAX_EXP = 6,
/// and exactly 0 or 1 outside, where word2vec.c's gradient (label − σ(f))·alpha treats the example as learnt or as
/// hopeless. A lookup is one multiply and one load instead of an exp; the table's step is 12/1000, so its error is
/// at most σ′(0)·0.012 = 0.003 inside the range and σ(−6) = 0.0025 outside.</summary>
public static class ExpTable
{
    public const int Size = 1000;
    public const float MaxExp = 6;

    // word2vec.c allocates EXP_TABLE_SIZE + 1 entries; the last is reached only by f == MaxExp, which we send to 1.
    private static readonly float[] Table = Build();

    private static float[] Build()
    {
        var table = new float[Size + 1];
        for (int i = 0; i <= Size; i++)
        {
            double e = Math.Exp((i / (double)Size * 2 - 1) * MaxExp);              // exp over [−6, 6]
            table[i] = (float)(e / (e + 1));                                        // σ = e^x / (e^x + 1)
        }
        return table;
    }

    /// <summary>σ(f) as word2vec.c's training loop sees it; NaN gives 0 (training has diverged; the caller checks).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float f)
    {
        if (f >= MaxExp) return 1;
        if (!(f > -MaxExp)) return 0;
        return Table[(int)((f + MaxExp) * (Size / MaxExp / 2))];
    }
}
