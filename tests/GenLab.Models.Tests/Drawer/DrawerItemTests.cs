using GenLab.Models.Drawer;

namespace GenLab.Models.Tests.Drawer;

public sealed class DrawerItemTests
{
    [Fact]
    public void All_HasSixteenItems_InIndexOrder()
    {
        Assert.Equal(16, DrawerItem.All.Count);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(i, DrawerItem.All[i].Index);
            Assert.Same(DrawerItem.All[i], DrawerItem.FromIndex(i));
        }
        Assert.Equal(16, DrawerItem.All.Distinct().Count());
    }

    [Theory]
    [InlineData(ItemType.Pencil, ItemColor.Red, 0, "lápis vermelho")]
    [InlineData(ItemType.Pencil, ItemColor.Yellow, 3, "lápis amarelo")]
    [InlineData(ItemType.Pen, ItemColor.Blue, 5, "caneta azul")]
    [InlineData(ItemType.Pen, ItemColor.Red, 4, "caneta vermelha")]
    [InlineData(ItemType.Eraser, ItemColor.Yellow, 11, "borracha amarela")]
    [InlineData(ItemType.Ruler, ItemColor.Green, 14, "régua verde")]
    public void Name_AgreesInGender_AndIndexIsTypeTimesFourPlusColor(ItemType type, ItemColor color, int index, string name)
    {
        var item = new DrawerItem(type, color);
        Assert.Equal(index, item.Index);
        Assert.Equal(name, item.Name);
        Assert.Equal(name, item.ToString());
    }

    [Fact]
    public void FromIndex_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DrawerItem.FromIndex(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => DrawerItem.FromIndex(-1));
    }
}
