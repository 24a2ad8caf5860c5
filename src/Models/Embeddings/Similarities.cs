using static TorchSharp.torch;

namespace GenLab.Models.Embeddings;

/// <summary>Batched distances and the nearest-neighbour queries built on them: "which words are closest to
/// <c>azul</c>?" and the analogy "rei − homem + mulher ≈ rainha" (Mikolov et al., "Linguistic Regularities in
/// Continuous Space Word Representations", 2013). Inputs are never disposed; returned tensors belong to the caller.</summary>
public static class Similarities
{
    /// <summary>Guards the division in cosine: a zero vector gets similarity 0 (distance 1) to everything instead of NaN.</summary>
    public const double Epsilon = 1e-8;

    /// <summary>(N, M) distances between every row of <paramref name="a"/> (N, D) and every row of
    /// <paramref name="b"/> (M, D). Cosine distance is 1 − cosine similarity, in [0, 2].</summary>
    public static Tensor Pairwise(Tensor a, Tensor b, Distance d)
    {
        CheckPair(a, b);
        using var scope = NewDisposeScope();
        var result = d switch
        {
            // cdist's matrix-multiply shortcut for L2 (‖a‖² + ‖b‖² − 2a·b) loses precision for nearby points, so ask
            // for the direct difference: exact zeros on the diagonal, √2 exactly between one-hot rows.
            Distance.L1 => cdist(a, b, p: 1.0),                                                            // (N, M)
            Distance.L2 => cdist(a, b, p: 2.0, compute_mode: TorchSharp.compute_mode.donot_use_mm_for_euclid_dist), // (N, M)
            Distance.Cosine => 1 - CosineSimilarity(a, b),                                                  // (N, M)
            _ => throw new ArgumentOutOfRangeException(nameof(d), d, "unknown distance"),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>(N, M) cosine similarities a_i·b_j / (‖a_i‖‖b_j‖), in [−1, 1].</summary>
    public static Tensor CosineSimilarity(Tensor a, Tensor b)
    {
        CheckPair(a, b);
        using var scope = NewDisposeScope();
        var an = Normalize(a);                        // (N, D) unit rows
        var bn = Normalize(b);                        // (M, D) unit rows
        return an.mm(bn.t()).MoveToOuterDisposeScope();   // (N, M)
    }

    /// <summary>The <paramref name="k"/> rows of <paramref name="matrix"/> (N, D) closest to <paramref name="query"/>
    /// (D), nearest first, skipping the indices in <paramref name="exclude"/> (typically the query word itself).
    /// Ties go to the lower index, so the answer is deterministic. Fewer than k results when fewer rows remain.</summary>
    public static IReadOnlyList<(int Index, double Distance)> Nearest(
        Tensor query, Tensor matrix, int k, Distance d, IReadOnlySet<int>? exclude = null)
    {
        if (query.dim() != 1)
            throw new ArgumentException($"query must be a (D) vector, got shape ({string.Join(", ", query.shape)})", nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        float[] distances;
        using (var scope = NewDisposeScope())
        {
            var row = Pairwise(query.unsqueeze(0), matrix, d)[0];                     // (N)
            distances = row.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        }
        // N is a vocabulary at most (thousands), so a full sort on the CPU is cheaper to read than topk + masking.
        return Enumerable.Range(0, distances.Length)
            .Where(i => exclude is null || !exclude.Contains(i))
            .OrderBy(i => distances[i]).ThenBy(i => i)
            .Take(k)
            .Select(i => (i, (double)distances[i]))
            .ToList();
    }

    /// <summary>Analogy by vector offset (3CosAdd): the rows nearest to matrix[a] − matrix[b] + matrix[c], excluding a,
    /// b and c themselves (otherwise the answer is nearly always one of them). For "rei − homem + mulher" pass
    /// a = rei, b = homem, c = mulher. With <see cref="Distance.Cosine"/> the rows are normalised before the offset,
    /// as in word2vec's own analogy tool, so long (frequent) words do not dominate the sum.</summary>
    public static IReadOnlyList<(int Index, double Distance)> Analogy(Tensor matrix, int a, int b, int c, int k, Distance d)
    {
        if (matrix.dim() != 2)
            throw new ArgumentException($"matrix must be (N, D), got shape ({string.Join(", ", matrix.shape)})", nameof(matrix));
        long n = matrix.shape[0];
        foreach (var (name, index) in new[] { (nameof(a), a), (nameof(b), b), (nameof(c), c) })
            if (index < 0 || index >= n) throw new ArgumentOutOfRangeException(name, index, $"must be a row index in [0, {n})");
        using var scope = NewDisposeScope();
        var rows = d == Distance.Cosine ? Normalize(matrix) : matrix;   // (N, D)
        var query = rows[a] - rows[b] + rows[c];                       // (D)
        return Nearest(query, matrix, k, d, new HashSet<int> { a, b, c });
    }

    /// <summary>Rows scaled to unit L2 length; zero rows stay zero.</summary>
    private static Tensor Normalize(Tensor x) =>
        x / x.norm(dim: 1, keepdim: true).clamp_min(Epsilon);   // (N, D) / (N, 1)

    private static void CheckPair(Tensor a, Tensor b)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException(
                $"expected (N, D) and (M, D) with the same D, got ({string.Join(", ", a.shape)}) and ({string.Join(", ", b.shape)})");
    }
}
