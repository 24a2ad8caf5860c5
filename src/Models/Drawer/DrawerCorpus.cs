using System.Text;
using System.Text.RegularExpressions;
using GenLab.Models.Data;

namespace GenLab.Models.Drawer;

/// <summary>A synthetic Portuguese corpus about the drawer, generated from a small grammar, for training word2vec
/// without a download, plus a reader for plain-text corpora.
///
/// The grammar is built around the distributional hypothesis (Harris 1954; Firth's "you shall know a word by the
/// company it keeps"): skip-gram learns similar vectors for words with similar contexts, so the grammar gives each
/// word class its own contexts.
/// <list type="bullet">
/// <item>Colours appear next to item nouns and in colour-only frames ("pintei de verde", "escolhi tinta azul"),
/// never next to an action verb: all colour forms share one context distribution.</item>
/// <item>Item nouns appear with articles, colours, places and their own actions (lápis/caneta → escrever, desenhar;
/// borracha → apagar; régua → medir, traçar): they share colours and places with each other, and differ only in
/// the action and the article's gender.</item>
/// <item>Places (gaveta, estojo, mesa, mochila) go with every item, always after "na"/"no".</item>
/// </list>
/// With 20k sentences, a skip-gram or CBOW prototype (dimension 50, window 3, 5 epochs, no subsampling) put every
/// colour word's 3 nearest neighbours among the colour words and every item's among the items, for several seeds.
/// The vocabulary is only ~70 words, all of them "frequent", so word2vec's subsampling (t = 1e-3) would discard ~90%
/// of the tokens: train on this corpus without it.</summary>
public static partial class DrawerCorpus
{
    // Declared first: static initialisers run in text order and PlaceWords reads this.
    private static readonly Place[] Places = [new("gaveta", true), new("estojo", false), new("mesa", true), new("mochila", true)];

    /// <summary>Every colour form the grammar uses: masculine and feminine where they differ.</summary>
    public static IReadOnlyList<string> ColorWords { get; } =
        [.. Enum.GetValues<ItemColor>().SelectMany(c => new[] { DrawerItem.ColorWord(c, false), DrawerItem.ColorWord(c, true) }).Distinct()];

    public static IReadOnlyList<string> TypeWords { get; } = [.. Enum.GetValues<ItemType>().Select(DrawerItem.TypeWord)];

    public static IReadOnlyList<string> ActionWords { get; } = ["escrever", "desenhar", "apagar", "medir", "traçar"];

    public static IReadOnlyList<string> PlaceWords { get; } = [.. Places.Select(p => p.Word)];

    /// <summary><paramref name="sentences"/> lines, lower-case words separated by single spaces, no punctuation.
    /// The same seed gives the same text.</summary>
    public static string Generate(int sentences, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sentences);
        var rng = SplitMix64.ForPurpose(seed, "drawer-corpus");
        int total = Templates.Sum(t => t.Weight);
        var text = new StringBuilder();
        for (int i = 0; i < sentences; i++)
        {
            // Weighted choice of a frame; an optional time word in front is the filler that carries no signal.
            long ticket = rng.NextInt64(total);
            var template = Templates.First(t => (ticket -= t.Weight) < 0);
            if (rng.NextInt64(4) == 0) text.Append(Pick(rng, Fillers)).Append(' ');
            text.Append(template.Build(rng)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Reads a plain-text corpus: one sentence per line, words are runs of letters, combining marks and
    /// apostrophes ("d'água" stays one word), lower-cased; lines without words are skipped. No Unicode normalisation:
    /// the lab runs with InvariantGlobalization, where string.Normalize leaves text unchanged, so save corpora with
    /// precomposed accents (NFC, the usual form on Linux and Windows).</summary>
    public static IReadOnlyList<string[]> ReadSentences(string path)
    {
        var sentences = new List<string[]>();
        foreach (string line in File.ReadLines(path))
        {
            var words = WordPattern().Matches(line)
                .Select(m => m.Value.ToLowerInvariant()).ToArray();
            if (words.Length > 0) sentences.Add(words);
        }
        if (sentences.Count == 0)
            throw new InvalidDataException($"{path}: the corpus has no words (empty file or only punctuation/whitespace)");
        return sentences;
    }

    [GeneratedRegex(@"[\p{L}\p{M}']+")]
    private static partial Regex WordPattern();

    private sealed record Template(int Weight, Func<SplitMix64, string> Build);

    private sealed record Place(string Word, bool Feminine)
    {
        public string In => $"{(Feminine ? "na" : "no")} {Word}";
        public string The => $"{(Feminine ? "a" : "o")} {Word}";
    }

    private static readonly string[] Fillers = ["hoje", "ontem", "agora", "depois", "então"];

    private static string[] Actions(ItemType type) => type switch
    {
        ItemType.Pencil or ItemType.Pen => ["escrever", "desenhar"],
        ItemType.Eraser => ["apagar"],
        ItemType.Ruler => ["medir", "traçar"],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown item type"),
    };

    // Weights (of 85): item + colour 14, item + action 26, item + place 21 (3 with a colour), item alone 6, colour
    // alone 14, filler 4. No place-only frames ("abri a gaveta"): their rare verbs see "a" and a place, just like a
    // feminine item, and crowd the items' neighbour lists. Three choices make the clusters clean (checked with a skip-gram/CBOW
    // prototype, dim 50, window 3, 5 epochs, several seeds):
    // 1. Colours sit in only about a quarter of the item sentences, so an item's contexts are mostly the ones it
    //    shares with the other items, not the colours it shares with the colour-only frames.
    // 2. Most item frames use the bare noun ("uso lápis", "tem caneta", "qualquer régua"), so lápis, the one
    //    masculine item, is not pulled towards other masculine words (o, estojo, the masculine colour forms).
    // 3. Colour-only frames take both genders ("pintei de vermelho" / "pintei com tinta vermelha") and never an
    //    action verb or "para", so they resemble neither the items nor the actions.
    private static readonly Template[] Templates =
    [
        // Item + colour.
        new(4, rng => { var t = Type(rng); return $"{The(t)} {Word(t)} é {Color(t, rng)}"; }),
        new(4, rng => { var t = Type(rng); return $"{Pick(rng, ["comprei", "tenho", "encontrei", "ganhei", "perdi"])} {A(t)} {Word(t)} {Color(t, rng)}"; }),
        new(6, rng => { var t = Type(rng); return $"tem {Word(t)} {Color(t, rng)} {Pick(rng, Places).In}"; }),
        // Item + action.
        new(7, rng => { var t = Type(rng); return $"uso {Word(t)} para {Pick(rng, Actions(t))}"; }),
        new(6, rng => { var t = Type(rng); return $"qualquer {Word(t)} serve para {Pick(rng, Actions(t))}"; }),
        new(7, rng => { var t = Type(rng); return $"sem {Word(t)} não consigo {Pick(rng, Actions(t))}"; }),
        new(6, rng => { var t = Type(rng); return $"com {Word(t)} posso {Pick(rng, Actions(t))}"; }),
        // Item + place.
        new(4, rng => { var t = Type(rng); return $"{The(t)} {Word(t)} está {Pick(rng, Places).In}"; }),
        new(4, rng => { var t = Type(rng); return $"{Pick(rng, ["guardei", "deixei", "achei"])} {The(t)} {Word(t)} {Pick(rng, Places).In}"; }),
        new(10, rng => { var t = Type(rng); return $"tem {Word(t)} {Pick(rng, Places).In}"; }),
        new(6, rng => { var t = Type(rng); return $"emprestei {Word(t)} ao colega"; }),
        new(3, rng => { var t = Type(rng); return $"{The(t)} {Word(t)} {Color(t, rng)} ficou {Pick(rng, Places).In}"; }),
        // Colour alone, with no article anywhere, so no colour frame looks like an item frame: masculine after "de",
        // feminine agreeing with "tinta". The verbs take both genders, so that "pintei" and "gosto"
        // do not share lápis's masculine colour forms more than the items do.
        new(5, rng => rng.NextInt64(2) == 0 ? $"pintei de {Color(ItemType.Pencil, rng)}" : $"pintei com tinta {Color(ItemType.Pen, rng)}"),
        new(5, rng => rng.NextInt64(2) == 0 ? $"gosto de {Color(ItemType.Pencil, rng)}" : $"gosto de tinta {Color(ItemType.Pen, rng)}"),
        new(4, rng => rng.NextInt64(2) == 0 ? $"escolhi {Color(ItemType.Pencil, rng)}" : $"escolhi tinta {Color(ItemType.Pen, rng)}"),
        // School filler (no articles, no "para"): words every class sees about equally often.
        new(4, rng => Pick(rng, (string[])["estudei muito", "choveu bastante", "saímos cedo", "fiz os deveres",
            "tivemos prova", "cheguei tarde"])),
    ];

    private static ItemType Type(SplitMix64 rng) => (ItemType)rng.NextInt64(DrawerItem.TypeCount);

    private static string Word(ItemType type) => DrawerItem.TypeWord(type);

    private static bool Fem(ItemType type) => DrawerItem.IsFeminine(type);

    private static string The(ItemType type) => Fem(type) ? "a" : "o";

    private static string A(ItemType type) => Fem(type) ? "uma" : "um";

    /// <summary>A random colour in the form that agrees with <paramref name="type"/>'s gender.</summary>
    private static string Color(ItemType type, SplitMix64 rng) =>
        DrawerItem.ColorWord((ItemColor)rng.NextInt64(DrawerItem.ColorCount), Fem(type));

    private static T Pick<T>(SplitMix64 rng, IReadOnlyList<T> items) => items[(int)rng.NextInt64(items.Count)];
}
