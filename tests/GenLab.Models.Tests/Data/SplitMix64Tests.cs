using GenLab.Models.Data;

namespace GenLab.Models.Tests.Data;

public sealed class SplitMix64Tests
{
    [Fact]
    public void NextUInt64_FromSeedZero_MatchesReferenceSequence()
    {
        // Reference values of Vigna's splitmix64.c seeded with 0.
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void State_RestoredMidStream_ContinuesTheSameSequence()
    {
        var a = new SplitMix64(42);
        for (int i = 0; i < 5; i++) a.NextUInt64();
        var b = new SplitMix64(a.State);
        Assert.Equal(Enumerable.Range(0, 10).Select(_ => a.NextInt64(1000)), Enumerable.Range(0, 10).Select(_ => b.NextInt64(1000)));
    }

    [Fact]
    public void NextInt64_StaysInRange_AndCoversIt()
    {
        var rng = new SplitMix64(7);
        var seen = new HashSet<long>();
        for (int i = 0; i < 1000; i++)
        {
            long v = rng.NextInt64(10);
            Assert.InRange(v, 0, 9);
            seen.Add(v);
        }
        Assert.Equal(10, seen.Count);
    }

    [Fact]
    public void ForPurpose_DifferentPurposes_GiveDifferentStreams()
    {
        Assert.NotEqual(SplitMix64.ForPurpose(1, "split").NextUInt64(), SplitMix64.ForPurpose(1, "batches").NextUInt64());
        Assert.Equal(SplitMix64.ForPurpose(1, "split").NextUInt64(), SplitMix64.ForPurpose(1, "split").NextUInt64());
    }
}
