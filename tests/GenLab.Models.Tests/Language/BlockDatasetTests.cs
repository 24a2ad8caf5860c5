using GenLab.Models.Data;
using GenLab.Models.Language;

namespace GenLab.Models.Tests.Language;

public sealed class BlockDatasetTests
{
    private static int[] Ids(int count) => [.. Enumerable.Range(0, count)];   // id = position: blocks are easy to read

    [Fact]
    public void Sample_GivesContiguousBlocks_WithYShiftedByOne()
    {
        using var data = new BlockDataset(Ids(1000));
        var (x, y) = data.Sample(BlockDataset.Train, new SplitMix64(7), batchSize: 4, blockSize: 8);
        using (x) using (y)
        {
            Assert.Equal([4L, 8L], x.shape);
            Assert.Equal([4L, 8L], y.shape);
            Assert.Equal(TorchSharp.torch.ScalarType.Int64, x.dtype);
            long[] xs = x.data<long>().ToArray(), ys = y.data<long>().ToArray();
            for (int b = 0; b < 4; b++)
                for (int t = 0; t < 8; t++)
                {
                    Assert.Equal(xs[b * 8] + t, xs[b * 8 + t]);
                    Assert.Equal(xs[b * 8 + t] + 1, ys[b * 8 + t]);
                }
            Assert.All(ys, id => Assert.InRange(id, 1, 899));   // train is the first 90%: ids 0..899
        }
    }

    [Fact]
    public void Sample_FromVal_StaysInTheLastTenPercent()
    {
        using var data = new BlockDataset(Ids(1000));
        Assert.Equal(900, data.TrainTokens);
        Assert.Equal(100, data.ValTokens);
        var (x, y) = data.Sample(BlockDataset.Val, new SplitMix64(1), batchSize: 16, blockSize: 10);
        using (x) using (y)
        {
            Assert.All(x.data<long>().ToArray(), id => Assert.InRange(id, 900, 998));
            Assert.All(y.data<long>().ToArray(), id => Assert.InRange(id, 901, 999));
        }
    }

    [Fact]
    public void Sample_WithTheSameRngState_IsTheSameBatch()
    {
        using var data = new BlockDataset(Ids(500));
        var rng = new SplitMix64(42);
        rng.NextUInt64();
        ulong state = rng.State;
        var (x1, y1) = data.Sample(BlockDataset.Train, rng, 3, 5);
        var (x2, _) = data.Sample(BlockDataset.Train, rng, 3, 5);
        rng.State = state;
        var (x3, y3) = data.Sample(BlockDataset.Train, rng, 3, 5);
        using (x1) using (y1) using (x2) using (x3) using (y3)
        {
            Assert.Equal(x1.data<long>().ToArray(), x3.data<long>().ToArray());
            Assert.Equal(y1.data<long>().ToArray(), y3.data<long>().ToArray());
            Assert.NotEqual(x1.data<long>().ToArray(), x2.data<long>().ToArray());
        }
    }

    [Fact]
    public void Sample_WhenSplitIsShorterThanBlockPlusOne_NamesTheSplitAndTheNeed()
    {
        using var data = new BlockDataset(Ids(400));   // val: 40 tokens
        var error = Assert.Throws<ArgumentException>(() => data.Sample(BlockDataset.Val, new SplitMix64(0), 2, 64));
        Assert.StartsWith("val split has 40 tokens, needs at least block_size + 1 = 65", error.Message);
    }

    [Fact]
    public void Sample_WhenSplitIsExactlyBlockPlusOne_HasOneBlock()
    {
        using var data = new BlockDataset(Ids(100));   // val: 10 tokens
        var (x, y) = data.Sample(BlockDataset.Val, new SplitMix64(3), 2, 9);
        using (x) using (y)
        {
            Assert.Equal(Enumerable.Range(90, 9).Select(i => (long)i).Concat(Enumerable.Range(90, 9).Select(i => (long)i)), x.data<long>().ToArray());
        }
    }

    [Theory]
    [InlineData(1000, 0.9)]
    [InlineData(1001, 0.9)]
    [InlineData(77, 0.8)]
    public void FractionSplit_IsTheSameAsTheStreamsCutAtTrainCount(int count, double trainFraction)
    {
        // The tail split (nanoGPT's) as it always was: train is ids[..(int)(count * fraction)], val the rest.
        int cut = BlockDataset.TrainCount(count, trainFraction);
        Assert.Equal((int)(count * trainFraction), cut);
        using var whole = new BlockDataset(Ids(count), trainFraction);
        using var parts = new BlockDataset(Ids(count)[..cut], Ids(count)[cut..]);
        Assert.Equal((cut, count - cut), ((int)whole.TrainTokens, (int)whole.ValTokens));
        foreach (string split in new[] { BlockDataset.Train, BlockDataset.Val })
        {
            var (x1, y1) = whole.Sample(split, new SplitMix64(5), 4, 6);
            var (x2, y2) = parts.Sample(split, new SplitMix64(5), 4, 6);
            using (x1) using (y1) using (x2) using (y2)
            {
                Assert.Equal(x1.data<long>().ToArray(), x2.data<long>().ToArray());
                Assert.Equal(y1.data<long>().ToArray(), y2.data<long>().ToArray());
            }
        }
    }

    [Fact]
    public void Sample_UnknownSplit_Throws()
    {
        using var data = new BlockDataset(Ids(100));
        var error = Assert.Throws<ArgumentException>(() => data.Sample("test", new SplitMix64(0), 1, 4));
        Assert.Contains("unknown split 'test'", error.Message);
    }
}
