using GenLab.Models.Drawer;
using GenLab.Models.Embeddings;

namespace GenLab.Models.Tests.Drawer;

public sealed class DrawerEncodingsTests
{
    [Fact]
    public void OneHot_IsTheIdentity_AndEveryPairIsRootTwoApart()
    {
        using var x = DrawerEncodings.OneHot();
        Assert.Equal([16L, 16L], x.shape);
        using var d = Similarities.Pairwise(x, x, Distance.L2);
        var values = d.data<float>().ToArray();
        for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            Assert.Equal(i == j ? 0.0 : Math.Sqrt(2), values[i * 16 + j], 1e-6);
    }

    [Fact]
    public void Factored_HasOneTypeBitAndOneColorBit_PerRow()
    {
        using var x = DrawerEncodings.Factored();
        Assert.Equal([16L, 8L], x.shape);
        var values = x.data<float>().ToArray();
        foreach (var item in DrawerItem.All)
        {
            var row = values.AsSpan(item.Index * 8, 8).ToArray();
            Assert.Equal(2f, row.Sum());
            Assert.Equal(1f, row[(int)item.Type]);
            Assert.Equal(1f, row[4 + (int)item.Color]);
        }
    }

    [Fact]
    public void Factored_SharingTypeOrColor_IsCloserThanSharingNothing()
    {
        using var x = DrawerEncodings.Factored();
        using var d = Similarities.Pairwise(x, x, Distance.L2);
        var values = d.data<float>().ToArray();
        foreach (var a in DrawerItem.All)
        foreach (var b in DrawerItem.All)
        {
            double expected = a == b ? 0
                : a.Type == b.Type || a.Color == b.Color ? Math.Sqrt(2)   // same type, different colour (or vice versa)
                : 2;                                                      // different in both
            Assert.Equal(expected, values[a.Index * 16 + b.Index], 1e-6);
        }
    }
}
