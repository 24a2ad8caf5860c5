namespace GenLab.Models.Data;

/// <summary>A tiny seeded generator for data order (Steele et al., "Fast splittable pseudorandom number
/// generators", 2014). Its whole state is one <see cref="ulong"/>, so a checkpoint can store it and a resumed
/// run draws exactly the batches the uninterrupted run would have drawn. <see cref="System.Random"/> offers neither.</summary>
public sealed class SplitMix64(ulong state)
{
    public ulong State { get; set; } = state;

    public ulong NextUInt64()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public long NextInt64(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, 0);
        ulong range = (ulong)bound;
        ulong threshold = (0 - range) % range;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low >= threshold) return (long)high;
        }
    }

    /// <summary>Uniform in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box–Muller (one of the pair; simplicity over speed).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();   // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = (int)NextInt64(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>An independent stream for a named purpose (e.g. "split", "batches"), derived from a seed.</summary>
    public static SplitMix64 ForPurpose(long seed, string purpose)
    {
        ulong h = 14695981039346656037UL;                 // FNV-1a over the purpose name
        foreach (char c in purpose) h = (h ^ c) * 1099511628211UL;
        var mixer = new SplitMix64((ulong)seed ^ h);
        return new SplitMix64(mixer.NextUInt64());
    }
}
