namespace GenLab.Models.Drawer;

/// <summary>The four kinds of school item in the lecture's drawer.</summary>
public enum ItemType { Pencil, Pen, Eraser, Ruler }

/// <summary>The four colours every kind comes in.</summary>
public enum ItemColor { Red, Blue, Green, Yellow }

/// <summary>One of the 16 drawer items (4 types × 4 colours). <see cref="Index"/> is the "direct mapping" position
/// 0..15; the pair (<see cref="Type"/>, <see cref="Color"/>) is the "grouping by concept" description.</summary>
public sealed record DrawerItem(ItemType Type, ItemColor Color)
{
    public const int TypeCount = 4;
    public const int ColorCount = 4;
    public const int Count = TypeCount * ColorCount;

    /// <summary>All 16 items in <see cref="Index"/> order: the four colours of the pencil first, then the pen, …</summary>
    public static IReadOnlyList<DrawerItem> All { get; } =
        [.. Enum.GetValues<ItemType>().SelectMany(type => Enum.GetValues<ItemColor>().Select(color => new DrawerItem(type, color)))];

    /// <summary>type × 4 + colour, in 0..15.</summary>
    public int Index => (int)Type * ColorCount + (int)Color;

    /// <summary>Portuguese name with gender agreement: "lápis vermelho" (masculine) but "caneta vermelha".</summary>
    public string Name => $"{TypeWord(Type)} {ColorWord(Color, IsFeminine(Type))}";

    public static DrawerItem FromIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return All[index];
    }

    public override string ToString() => Name;

    /// <summary>lápis is masculine; caneta, borracha and régua are feminine.</summary>
    public static bool IsFeminine(ItemType type) => type != ItemType.Pencil;

    public static string TypeWord(ItemType type) => type switch
    {
        ItemType.Pencil => "lápis",
        ItemType.Pen => "caneta",
        ItemType.Eraser => "borracha",
        ItemType.Ruler => "régua",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown item type"),
    };

    /// <summary>The colour adjective agreeing with a noun's gender; azul and verde have one form for both.</summary>
    public static string ColorWord(ItemColor color, bool feminine) => color switch
    {
        ItemColor.Red => feminine ? "vermelha" : "vermelho",
        ItemColor.Blue => "azul",
        ItemColor.Green => "verde",
        ItemColor.Yellow => feminine ? "amarela" : "amarelo",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "unknown item color"),
    };
}
