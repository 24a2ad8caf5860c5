using GenLab.Models.Embeddings;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Embeddings;

public sealed class SimilaritiesTests
{
    private static Tensor Rows(params float[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], ScalarType.Float32);

    [Theory]
    [InlineData(Distance.L1, 7.0)]       // |1−4| + |2−6|
    [InlineData(Distance.L2, 5.0)]       // √(3² + 4²)
    [InlineData(Distance.Cosine, 1 - 16 / (2.2360679775 * 7.2111025509))]   // 1 − (4 + 12)/(√5·√52)
    public void Pairwise_MatchesHandComputedValues(Distance d, double expected)
    {
        using var a = Rows([1, 2]);
        using var b = Rows([4, 6]);
        using var result = Similarities.Pairwise(a, b, d);
        Assert.Equal([1L, 1L], result.shape);
        Assert.Equal(expected, result.item<float>(), 1e-5);
    }

    [Fact]
    public void Pairwise_IsNByM()
    {
        using var a = Rows([1, 0, 0], [0, 1, 0]);
        using var b = Rows([1, 1, 1], [0, 0, 1], [2, 0, 0]);
        using var result = Similarities.Pairwise(a, b, Distance.L1);
        Assert.Equal([2L, 3L], result.shape);
        Assert.Equal([2f, 2f, 1f, 2f, 2f, 3f], result.data<float>().ToArray());
    }

    [Fact]
    public void CosineSimilarity_Self_Orthogonal_Opposite()
    {
        using var a = Rows([3, 4]);
        using var b = Rows([3, 4], [-4, 3], [-6, -8], [0.5f, 0]);
        using var result = Similarities.CosineSimilarity(a, b);
        var values = result.data<float>().ToArray();
        Assert.Equal(1.0, values[0], 1e-6);    // itself
        Assert.Equal(0.0, values[1], 1e-6);    // orthogonal
        Assert.Equal(-1.0, values[2], 1e-6);   // opposite (length does not matter)
        Assert.Equal(0.6, values[3], 1e-6);    // cos θ = 3/5
    }

    [Fact]
    public void CosineSimilarity_ZeroVector_IsZero_NotNaN()
    {
        using var a = Rows([0, 0]);
        using var b = Rows([1, 2]);
        using var sim = Similarities.CosineSimilarity(a, b);
        using var dist = Similarities.Pairwise(a, b, Distance.Cosine);
        Assert.Equal(0f, sim.item<float>());
        Assert.Equal(1f, dist.item<float>());
    }

    [Fact]
    public void Pairwise_DimensionMismatch_Throws()
    {
        using var a = Rows([1, 2]);
        using var b = Rows([1, 2, 3]);
        Assert.Throws<ArgumentException>(() => Similarities.Pairwise(a, b, Distance.L2));
    }

    // A tiny hand-made "vocabulary": 0 rei, 1 rainha, 2 homem, 3 mulher, 4 maçã.
    // Axes: (royalty, maleness, fruitiness); rei − homem + mulher = (1, −1, 0) = rainha exactly.
    private static Tensor Vocabulary() => Rows([1, 1, 0], [1, -1, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1]);

    [Theory]
    [InlineData(Distance.L1)]
    [InlineData(Distance.L2)]
    [InlineData(Distance.Cosine)]
    public void Nearest_IsSortedNearestFirst_AndHonoursExclude(Distance d)
    {
        using var m = Vocabulary();
        using var query = tensor(new float[] { 1, 0.9f, 0 });   // almost rei
        var all = Similarities.Nearest(query, m, k: 5, d);
        Assert.Equal(5, all.Count);
        Assert.Equal(0, all[0].Index);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Distance <= p.Second.Distance));

        var withoutRei = Similarities.Nearest(query, m, k: 2, d, exclude: new HashSet<int> { 0 });
        Assert.Equal(2, withoutRei.Count);
        Assert.DoesNotContain(withoutRei, r => r.Index == 0);
    }

    [Fact]
    public void Nearest_L2_GivesTheDistanceToo()
    {
        using var m = Vocabulary();
        using var query = tensor(new float[] { 0, 0, 0 });
        var result = Similarities.Nearest(query, m, k: 10, Distance.L2);
        Assert.Equal(5, result.Count);                        // k larger than N: all rows
        Assert.Equal((2, 1.0), (result[0].Index, result[0].Distance));   // ties (homem, mulher, maçã at 1) → lowest index
        Assert.Equal([2, 3, 4, 0, 1], result.Select(r => r.Index));
        Assert.Equal(Math.Sqrt(2), result[3].Distance, 1e-6);
    }

    [Theory]
    [InlineData(Distance.L2)]
    [InlineData(Distance.Cosine)]
    public void Analogy_ReiMinusHomemPlusMulher_IsRainha(Distance d)
    {
        using var m = Vocabulary();
        var result = Similarities.Analogy(m, a: 0, b: 2, c: 3, k: 2, d);
        Assert.Equal([1, 4], result.Select(r => r.Index));   // rainha, then maçã; never rei, homem or mulher
        // L2 on raw rows lands exactly on rainha; cosine first normalises the rows (|rei| = √2), so only nearly.
        Assert.Equal(0.0, result[0].Distance, d == Distance.L2 ? 1e-6 : 0.05);
    }

    [Fact]
    public void Analogy_IndexOutOfRange_Throws()
    {
        using var m = Vocabulary();
        Assert.Throws<ArgumentOutOfRangeException>(() => Similarities.Analogy(m, 0, 2, 9, 1, Distance.Cosine));
    }
}
