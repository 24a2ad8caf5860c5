using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenLab.Models.Tokenizers;

/// <summary>GenLab's tokenizers in the formats other tools read: tiktoken's <c>.tiktoken</c> rank file (byte-level BPE
/// only) and a Hugging Face <c>tokenizer.json</c> (the <c>tokenizers</c> library's serialisation): byte-level BPE with
/// its split regex, characters as a BPE without merges, words as a WordLevel model.</summary>
public static class TokenizerExport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="tokenizer"/> as a <c>.tiktoken</c> file; false for tokenizers that are not
    /// byte-level BPE (characters, words) or whose ranks GenLab does not hold (o200k, r50k: tiktoken ships them).</summary>
    public static bool TryWriteTiktoken(ITokenizer tokenizer, string path)
    {
        switch (tokenizer)
        {
            case BytePairTokenizer bpe:
                bpe.ExportTiktoken(path);
                return true;
            case PretrainedTokenizer { Encoding: "cl100k_base" }:
                TiktokenRanks.Write(path, TiktokenRanks.Cl100kFromPackage().Select(r => (r.Key, r.Value)));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes <paramref name="tokenizer"/> as a Hugging Face <c>tokenizer.json</c>; false when the format
    /// cannot express it (the lecture's fixed a=1…z=26 alphabet, OpenAI's pretrained encodings).</summary>
    public static bool TryWriteHuggingFace(ITokenizer tokenizer, string path)
    {
        JsonObject? json = tokenizer switch
        {
            BytePairTokenizer bpe => ByteLevelBpe(bpe),
            CharTokenizer chars => Characters(chars.Symbols, specials: []),
            WordTokenizer words => Words(words),
            _ => null,
        };
        if (json is null) return false;
        File.WriteAllText(path, json.ToJsonString(Json) + "\n");
        return true;
    }

    /// <summary>The MLP's character vocabulary: id 0 is the line boundary, written as the special token
    /// <paramref name="boundary"/>.</summary>
    public static void WriteHuggingFaceCharacters(IReadOnlyList<string> symbols, string boundary, string path) =>
        File.WriteAllText(path, Characters([boundary, .. symbols.Skip(1)], specials: [0]).ToJsonString(Json) + "\n");

    /// <summary>GPT-2's byte ↔ printable character table (openai/gpt-2 encoder.py <c>bytes_to_unicode</c>): printable
    /// Latin-1 bytes stand for themselves, the others are shifted to U+0100 and up, so every token is a visible string.</summary>
    public static string[] ByteToUnicode()
    {
        var table = new string[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = ((char)(printable ? b : 256 + next++)).ToString();
        }
        return table;
    }

    private static JsonObject ByteLevelBpe(BytePairTokenizer bpe)
    {
        var table = ByteToUnicode();
        string Spell(int id) => string.Concat(bpe.TokenBytes(id).ToArray().Select(b => table[b]));
        var vocab = new JsonObject();
        for (int id = 0; id < bpe.MergeableCount; id++) vocab[Spell(id)] = id;
        var merges = new JsonArray([.. bpe.Merges.Select(m => (JsonNode?)$"{Spell(m.Left)} {Spell(m.Right)}")]);
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false };
        JsonNode preTokenizer = BpeSplitPatterns.For(bpe.Split) is { } regex
            ? new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex.ToString() }, ["behavior"] = "Isolated", ["invert"] = false },
                    byteLevel),
            }
            : byteLevel;
        return Document(
            added: bpe.SpecialTokens.OrderBy(s => s.Value).Select(s => (s.Value, s.Key)),
            normalizer: null,
            preTokenizer: preTokenizer,
            decoder: new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false },
            model: new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = merges,
            });
    }

    /// <summary>One token per character: a BPE model without merges splits text into its characters.</summary>
    private static JsonObject Characters(IReadOnlyList<string> symbols, IReadOnlyList<int> specials)
    {
        var vocab = new JsonObject();
        for (int id = 0; id < symbols.Count; id++) vocab[symbols[id]] = id;
        return Document(
            added: specials.Select(id => (id, symbols[id])),
            normalizer: null,
            preTokenizer: null,
            decoder: new JsonObject { ["type"] = "Fuse" },
            model: new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = new JsonArray(),
            });
    }

    private static JsonObject Words(WordTokenizer words)
    {
        var vocab = new JsonObject();
        for (int id = 0; id < words.Vocabulary.Count; id++)
            if (!vocab.ContainsKey(words.Vocabulary[id])) vocab[words.Vocabulary[id]] = id;
        return Document(
            added: [(0, WordTokenizer.Unknown)],
            normalizer: words.Lowercase ? new JsonObject { ["type"] = "Lowercase" } : null,
            // Whitespace splits \w+|[^\w\s]+ (punctuation its own word); WhitespaceSplit keeps it attached.
            preTokenizer: new JsonObject { ["type"] = words.PunctuationMode == Punctuation.Separate ? "Whitespace" : "WhitespaceSplit" },
            decoder: null,
            model: new JsonObject { ["type"] = "WordLevel", ["vocab"] = vocab, ["unk_token"] = WordTokenizer.Unknown });
    }

    private static JsonObject Document(IEnumerable<(int Id, string Content)> added, JsonNode? normalizer, JsonNode? preTokenizer,
        JsonNode? decoder, JsonObject model) => new()
    {
        ["version"] = "1.0",
        ["truncation"] = null,
        ["padding"] = null,
        ["added_tokens"] = new JsonArray([.. added.Select(a => (JsonNode?)new JsonObject
        {
            ["id"] = a.Id, ["content"] = a.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        })]),
        ["normalizer"] = normalizer,
        ["pre_tokenizer"] = preTokenizer,
        ["post_processor"] = null,
        ["decoder"] = decoder,
        ["model"] = model,
    };
}
