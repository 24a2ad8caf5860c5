using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace GenLab.Models.Gpt;

/// <summary>Reads and writes a <see cref="GptModel"/>'s weights as safetensors with Hugging Face GPT-2 key names
/// (<c>wte.weight</c>, <c>h.0.attn.c_attn.weight</c>, …, <c>ln_f.bias</c>), as in GPT-2 124M's
/// <c>model.safetensors</c>. GPT-2 was written with a Conv1D layer that stores its weight as (in, out), so the
/// <c>c_attn</c>, <c>c_proj</c> and <c>c_fc</c> weights are transposed relative to nn.Linear's (out, in) — on
/// export and on import, as nanoGPT's <c>from_pretrained</c> does.</summary>
public static partial class GptSafetensors
{
    private static readonly string[] Conv1DSuffixes =
        ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>Writes the model's weights (float32) to <paramref name="path"/>. A tied output head is not written
    /// (it is <c>wte.weight</c>); an untied one is written as <c>lm_head.weight</c>.</summary>
    public static void Export(GptModel model, string path)
    {
        using var scope = NewDisposeScope();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(path, StateDict(model));
    }

    /// <summary>The weights under GPT-2's Hugging Face keys, Conv1D weights as (in, out), float32 on the CPU — the
    /// state_dict of transformers' <c>GPT2LMHeadModel.transformer</c> (plus <c>lm_head.weight</c> when untied). The
    /// tensors belong to the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> StateDict(GptModel model)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, key) in KeyMap(model))
        {
            var p = model.get_parameter(name)!.detach();                     // Linear: (out, in)
            if (IsConv1D(key)) p = p.t();                                    // Conv1D: (in, out)
            tensors[key] = p.to(CPU).to_type(ScalarType.Float32).contiguous();
        }
        return tensors;
    }

    /// <summary>Builds a GPT from a GPT-2 safetensors file. Layers, embedding dim, vocabulary, block size and
    /// bias are read from the tensors; the number of heads cannot be, so pass it (default 12 for width 768,
    /// GPT-2 124M).</summary>
    public static GptModel Import(string path, int? heads = null, double dropout = 0.0)
    {
        var file = Safetensors.Read(path);
        var config = InferConfig(file, heads) with { Dropout = dropout };
        var model = new GptModel(config);
        try
        {
            CopyInto(model, file);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies the weights of a GPT-2 safetensors file into an existing model, checking every key and shape.</summary>
    public static void LoadInto(GptModel model, string path) => CopyInto(model, Safetensors.Read(path));

    private static GptConfig InferConfig(Dictionary<string, Safetensors.Entry> file, int? heads)
    {
        var wte = Require(file, "wte.weight");                              // (V, C)
        var wpe = Require(file, "wpe.weight");                              // (block_size, C)
        if (wte.Shape.Length != 2 || wpe.Shape.Length != 2)
            throw new InvalidDataException("wte.weight and wpe.weight must be 2-D.");
        int embeddingDim = (int)wte.Shape[1];
        int layers = file.Keys.Select(k => LayerKey().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0) throw new InvalidDataException("No transformer layers (h.N.*) in the file.");
        int h = heads ?? (embeddingDim == 768
            ? 12
            : throw new ArgumentException($"The number of heads cannot be read from the weights; pass it (embedding dim {embeddingDim}).", nameof(heads)));
        return new GptConfig
        {
            VocabSize = (int)wte.Shape[0],
            BlockSize = (int)wpe.Shape[0],
            Layers = layers,
            Heads = h,
            EmbeddingDim = embeddingDim,
            Bias = file.ContainsKey("ln_f.bias"),
            TieWeights = !file.ContainsKey("lm_head.weight"),
        };
    }

    private static void CopyInto(GptModel model, Dictionary<string, Safetensors.Entry> file)
    {
        var expected = KeyMap(model).ToList();
        var known = expected.Select(e => e.Key).ToHashSet();
        foreach (var key in file.Keys)
        {
            // GPT-2's causal-mask buffers (h.N.attn.bias / masked_bias) are not weights; a tied head duplicates wte.
            if (MaskBufferKey().IsMatch(key) || (key == "lm_head.weight" && model.Config.TieWeights)) continue;
            if (!known.Contains(key)) throw new InvalidDataException($"Unexpected key '{key}' in the safetensors file.");
        }
        using var _ = no_grad();
        foreach (var (name, key) in expected)
        {
            using var scope = NewDisposeScope();
            var entry = Require(file, key);
            var target = model.get_parameter(name)!;                         // Linear: (out, in)
            long[] want = IsConv1D(key) ? [.. target.shape.Reverse()] : target.shape;
            if (!entry.Shape.SequenceEqual(want))
                throw new InvalidDataException(
                    $"Key '{key}' has shape ({string.Join(", ", entry.Shape)}), expected ({string.Join(", ", want)}).");
            var source = entry.ToTensor();                                   // file layout
            if (IsConv1D(key)) source = source.t();                          // (out, in)
            target.copy_(source);
        }
    }

    /// <summary>(TorchSharp parameter name, HF GPT-2 key) for every stored weight, in the model's order.</summary>
    private static IEnumerable<(string Name, string Key)> KeyMap(GptModel model)
    {
        foreach (var (name, _) in model.named_parameters())
        {
            if (name == "lm_head.weight") { if (!model.Config.TieWeights) yield return (name, name); continue; }
            yield return (name, name.StartsWith("transformer.", StringComparison.Ordinal) ? name["transformer.".Length..] : name);
        }
    }

    private static bool IsConv1D(string key) => Conv1DSuffixes.Any(s => key.EndsWith(s, StringComparison.Ordinal));

    private static Safetensors.Entry Require(Dictionary<string, Safetensors.Entry> file, string key) =>
        file.TryGetValue(key, out var entry) ? entry : throw new InvalidDataException($"Missing key '{key}' in the safetensors file.");

    [GeneratedRegex(@"^h\.(\d+)\.")]
    private static partial Regex LayerKey();

    [GeneratedRegex(@"^h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex MaskBufferKey();
}

/// <summary>safetensors through TorchSharp.PyBridge, as (dtype, shape, bytes) entries so the importer can check every
/// key and shape before it copies anything. F32, F16 and BF16 are read (as float32).</summary>
internal static class Safetensors
{
    internal sealed record Entry(string DType, long[] Shape, byte[] Bytes)
    {
        public Tensor ToTensor()
        {
            var floats = DType switch
            {
                "F32" => MemoryMarshal.Cast<byte, float>(Bytes).ToArray(),
                "F16" => MemoryMarshal.Cast<byte, Half>(Bytes).ToArray().Select(h => (float)h).ToArray(),
                "BF16" => MemoryMarshal.Cast<byte, ushort>(Bytes).ToArray()
                    .Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(),
                _ => throw new InvalidDataException($"Unsupported safetensors dtype {DType}."),
            };
            return tensor(floats, Shape, ScalarType.Float32);
        }
    }

    public static void Write(string path, IReadOnlyList<(string Name, long[] Shape, float[] Data)> tensors)
    {
        using var scope = NewDisposeScope();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(path,
            tensors.ToDictionary(t => t.Name, t => tensor(t.Data, t.Shape, ScalarType.Float32)));
    }

    public static Dictionary<string, Entry> Read(string path)
    {
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> loaded;
        try { loaded = TorchSharp.PyBridge.Safetensors.LoadStateDict(path); }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException))
        {
            throw new InvalidDataException($"{path} is not a readable safetensors file: {e.Message}", e);
        }
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (name, t) in loaded)
        {
            string dtype = t.dtype switch
            {
                ScalarType.Float32 => "F32", ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16",
                _ => throw new InvalidDataException($"Key '{name}' has dtype {t.dtype}; GenLab reads F32, F16 and BF16."),
            };
            result[name] = new Entry(dtype, t.shape, t.contiguous().bytes.ToArray());
        }
        return result;
    }
}
