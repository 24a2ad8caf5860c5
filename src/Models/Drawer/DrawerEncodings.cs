using static TorchSharp.torch;

namespace GenLab.Models.Drawer;

/// <summary>The lecture's two ways of turning the 16 drawer items into vectors, row i describing
/// <see cref="DrawerItem.All"/>[i]. Caller owns the returned tensors.</summary>
public static class DrawerEncodings
{
    /// <summary>Direct mapping: item i is the i-th unit vector, (16, 16). Every pair of items is equally far apart
    /// (L2 √2), so the encoding says nothing about which items resemble each other.</summary>
    public static Tensor OneHot() => eye(DrawerItem.Count, dtype: ScalarType.Float32);   // (16, 16)

    /// <summary>Grouping by concept: one-hot type (4) ‖ one-hot colour (4), (16, 8). 16 positions described by 8
    /// pieces of information; items sharing a type or a colour are closer (L2 √2) than items sharing neither (2).</summary>
    public static Tensor Factored()
    {
        const int width = DrawerItem.TypeCount + DrawerItem.ColorCount;
        var values = new float[DrawerItem.Count * width];
        foreach (var item in DrawerItem.All)
        {
            values[item.Index * width + (int)item.Type] = 1f;
            values[item.Index * width + DrawerItem.TypeCount + (int)item.Color] = 1f;
        }
        return tensor(values, [DrawerItem.Count, width], ScalarType.Float32);   // (16, 8)
    }
}
