using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GenLab.Models.Embeddings;

/// <summary>The vector kernels of <see cref="Word2VecHogwild"/> over rows of <c>n</c> floats, n a multiple of 16:
/// <see cref="Vector512{T}"/> where the CPU has AVX-512, else <see cref="Vector{T}"/> (256 bits with AVX2, 128 on
/// Arm). <see cref="Dots"/> and <see cref="Combine"/> take a few rows at once, so each load serves several FMAs.</summary>
internal static class Word2VecSimd
{
    /// <summary>x · y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float x, ref float y, int n)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            // Two accumulators: consecutive FMAs into one would wait for each other.
            Vector512<float> a = Vector512<float>.Zero, b = Vector512<float>.Zero;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), a);
                b = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i + 16), Vector512.LoadUnsafe(ref y, (nuint)i + 16), b);
            }
            if (i < n) a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), a);
            return Sum(a + b);
        }
        Vector<float> s = Vector<float>.Zero, t = Vector<float>.Zero;
        int w = Vector<float>.Count, j = 0;
        for (; j + 2 * w <= n; j += 2 * w)
        {
            s = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)j), Vector.LoadUnsafe(ref y, (nuint)j), s);
            t = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)(j + w)), Vector.LoadUnsafe(ref y, (nuint)(j + w)), t);
        }
        if (j < n) s = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)j), Vector.LoadUnsafe(ref y, (nuint)j), s);
        return Vector.Sum(s + t);
    }

    /// <summary>dots[j] = x · M[rows[j]] for rows of <paramref name="matrix"/> <paramref name="stride"/> floats apart; four
    /// rows at a time, so each load of x serves four products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dots(ref float x, ref float matrix, ReadOnlySpan<int> rows, int stride, Span<float> dots, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 4 <= rows.Length; j += 4)
            {
                ref float r0 = ref Unsafe.Add(ref matrix, (nint)rows[j] * stride);
                ref float r1 = ref Unsafe.Add(ref matrix, (nint)rows[j + 1] * stride);
                ref float r2 = ref Unsafe.Add(ref matrix, (nint)rows[j + 2] * stride);
                ref float r3 = ref Unsafe.Add(ref matrix, (nint)rows[j + 3] * stride);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < n; i += 16)
                {
                    var xi = Vector512.LoadUnsafe(ref x, (nuint)i);
                    a0 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r0, (nuint)i), a0);
                    a1 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r1, (nuint)i), a1);
                    a2 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r2, (nuint)i), a2);
                    a3 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r3, (nuint)i), a3);
                }
                dots[j] = Sum(a0);
                dots[j + 1] = Sum(a1);
                dots[j + 2] = Sum(a2);
                dots[j + 3] = Sum(a3);
            }
        for (; j < rows.Length; j++) dots[j] = Dot(ref x, ref Unsafe.Add(ref matrix, (nint)rows[j] * stride), n);
    }

    /// <summary>y = Σ_j c[j]·M[rows[j]], or y += it when <paramref name="add"/>: y is loaded and stored once per
    /// element whatever the number of rows. Four vectors of y at a time, so that four FMA chains run side by side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Combine(ref float y, bool add, ref float matrix, ReadOnlySpan<int> rows, ReadOnlySpan<float> c, int stride, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 64 <= n; i += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                if (add)
                {
                    a0 = Vector512.LoadUnsafe(ref y, (nuint)i);
                    a1 = Vector512.LoadUnsafe(ref y, (nuint)i + 16);
                    a2 = Vector512.LoadUnsafe(ref y, (nuint)i + 32);
                    a3 = Vector512.LoadUnsafe(ref y, (nuint)i + 48);
                }
                for (int j = 0; j < rows.Length; j++)
                {
                    ref float r = ref Unsafe.Add(ref matrix, (nint)rows[j] * stride + i);
                    var cj = Vector512.Create(c[j]);
                    a0 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r), a0);
                    a1 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r, 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r, 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r, 48), a3);
                }
                a0.StoreUnsafe(ref y, (nuint)i);
                a1.StoreUnsafe(ref y, (nuint)i + 16);
                a2.StoreUnsafe(ref y, (nuint)i + 32);
                a3.StoreUnsafe(ref y, (nuint)i + 48);
            }
            for (; i + 32 <= n; i += 32)
            {
                Vector512<float> a0 = default, a1 = default;
                if (add)
                {
                    a0 = Vector512.LoadUnsafe(ref y, (nuint)i);
                    a1 = Vector512.LoadUnsafe(ref y, (nuint)i + 16);
                }
                for (int j = 0; j < rows.Length; j++)
                {
                    ref float r = ref Unsafe.Add(ref matrix, (nint)rows[j] * stride + i);
                    var cj = Vector512.Create(c[j]);
                    a0 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r), a0);
                    a1 = Vector512.FusedMultiplyAdd(cj, Vector512.LoadUnsafe(ref r, 16), a1);
                }
                a0.StoreUnsafe(ref y, (nuint)i);
                a1.StoreUnsafe(ref y, (nuint)i + 16);
            }
            if (i < n)
            {
                var a0 = add ? Vector512.LoadUnsafe(ref y, (nuint)i) : default;
                for (int j = 0; j < rows.Length; j++)
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(c[j]), Vector512.LoadUnsafe(ref Unsafe.Add(ref matrix, (nint)rows[j] * stride + i)), a0);
                a0.StoreUnsafe(ref y, (nuint)i);
            }
            return;
        }
        for (; i < n; i += Vector<float>.Count)
        {
            var acc = add ? Vector.LoadUnsafe(ref y, (nuint)i) : default;
            for (int j = 0; j < rows.Length; j++)
                acc = Vector.FusedMultiplyAdd(new Vector<float>(c[j]), Vector.LoadUnsafe(ref Unsafe.Add(ref matrix, (nint)rows[j] * stride + i)), acc);
            acc.StoreUnsafe(ref y, (nuint)i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum(Vector512<float> v)
    {
        // Halve twice, then sum 4 lanes: Vector512.Sum's own reduction is much longer.
        var quarter = v.GetLower().GetLower() + v.GetLower().GetUpper() + v.GetUpper().GetLower() + v.GetUpper().GetUpper();
        return Vector128.Sum(quarter);
    }

    /// <summary>y += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref float x, ref float y, int n)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < n; i += 16)
                (Vector512.LoadUnsafe(ref y, (nuint)i) + Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            return;
        }
        for (int i = 0; i < n; i += Vector<float>.Count)
            (Vector.LoadUnsafe(ref y, (nuint)i) + Vector.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
    }

    /// <summary>y += a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ref float x, ref float y, int n)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var av = Vector512.Create(a);
            for (int i = 0; i < n; i += 16)
                Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            return;
        }
        var aw = new Vector<float>(a);
        for (int i = 0; i < n; i += Vector<float>.Count)
            Vector.FusedMultiplyAdd(aw, Vector.LoadUnsafe(ref x, (nuint)i), Vector.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
    }
}
