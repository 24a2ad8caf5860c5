using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Gpt;

// GPT-2 (Radford et al. 2019) following karpathy/nanoGPT model.py, smallest block first. Module and field names
// match nanoGPT (and so GPT-2's checkpoint keys): transformer.wte, transformer.h.0.attn.c_attn.weight, lm_head, …
// B = batch, T = sequence length, C = embedding dim, nh = heads, hs = C / nh, V = vocabulary.

/// <summary>LayerNorm with an optional bias (PyTorch's had none until 2.1), as in nanoGPT.</summary>
internal sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public LayerNorm(long dim, bool bias) : base(nameof(LayerNorm))
    {
        weight = nn.Parameter(ones(dim));
        this.bias = bias ? nn.Parameter(zeros(dim)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.layer_norm(x, weight.shape, weight, bias, 1e-5);        // (B, T, C)
}

/// <summary>Keys and values of one layer for the tokens generated so far; owns its tensors across sampling steps.</summary>
internal sealed class KvCache : IDisposable
{
    private Tensor? keys;    // (B, nh, T_past, hs)
    private Tensor? values;  // (B, nh, T_past, hs)

    public long Length => keys?.shape[2] ?? 0;

    /// <summary>Appends the new keys/values and returns the whole history; the history outlives the caller's scope.</summary>
    public (Tensor Keys, Tensor Values) Append(Tensor k, Tensor v)
    {
        if (keys is not null && values is not null)
        {
            var allK = cat([keys, k], 2);                                    // (B, nh, T_past + T, hs)
            var allV = cat([values, v], 2);                                  // (B, nh, T_past + T, hs)
            keys.Dispose();
            values.Dispose();
            (k, v) = (allK, allV);
        }
        keys = k.DetachFromDisposeScope();
        values = v.DetachFromDisposeScope();
        return (keys, values);
    }

    public void Dispose()
    {
        keys?.Dispose();
        values?.Dispose();
    }
}

/// <summary>Multi-head causal self-attention with the three projections fused into one Linear, as GPT-2.</summary>
internal sealed class CausalSelfAttention : nn.Module<Tensor, KvCache?, Tensor>
{
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout resid_dropout;
    private readonly int heads;
    private readonly double dropout;

    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        c_attn = nn.Linear(config.EmbeddingDim, 3 * config.EmbeddingDim, hasBias: config.Bias);
        c_proj = nn.Linear(config.EmbeddingDim, config.EmbeddingDim, hasBias: config.Bias);
        resid_dropout = nn.Dropout(config.Dropout);
        heads = config.Heads;
        dropout = config.Dropout;
        RegisterComponents();
    }

    /// <param name="x">(B, T, C).</param>
    /// <param name="cache">When given, x holds only the new tokens; earlier keys/values come from the cache.</param>
    public override Tensor forward(Tensor x, KvCache? cache)
    {
        long B = x.shape[0], T = x.shape[1], C = x.shape[2];
        var (q, k, v) = Project(x);                                          // 3 × (B, nh, T, hs)
        Tensor? mask = null;
        bool causal = true;
        if (cache is not null)
        {
            long past = cache.Length;
            (k, v) = cache.Append(k, v);                                     // (B, nh, T_past + T, hs)
            if (past > 0)
            {
                // New query i sits at position T_past + i and may see keys 0 … T_past + i; one new token sees all.
                causal = false;
                if (T > 1) mask = ones(T, past + T, ScalarType.Bool, x.device).tril(past);   // (T, T_past + T)
            }
        }
        var y = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask,
            p: training ? dropout : 0.0, is_casual: causal);                 // (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C);                    // (B, T, C)
        return resid_dropout.call(c_proj.call(y));                           // (B, T, C)
    }

    /// <summary>softmax(q·kᵀ/√hs) with the causal mask, written out (no fused kernel) for heatmaps.</summary>
    /// <param name="x">(B, T, C), already layer-normed.</param>
    /// <returns>(B, nh, T, T).</returns>
    public Tensor Weights(Tensor x)
    {
        long T = x.shape[1];
        var (q, k, _) = Project(x);                                          // 3 × (B, nh, T, hs)
        var att = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[3]);     // (B, nh, T, T)
        var future = ones(T, T, ScalarType.Bool, x.device).tril().logical_not();   // (T, T)
        att = att.masked_fill(future, double.NegativeInfinity);              // (B, nh, T, T)
        return nn.functional.softmax(att, -1);                               // (B, nh, T, T)
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x)
    {
        long B = x.shape[0], T = x.shape[1], C = x.shape[2];
        var qkv = c_attn.call(x).split(C, 2);                                // 3 × (B, T, C)
        var q = qkv[0].view(B, T, heads, C / heads).transpose(1, 2);         // (B, nh, T, hs)
        var k = qkv[1].view(B, T, heads, C / heads).transpose(1, 2);         // (B, nh, T, hs)
        var v = qkv[2].view(B, T, heads, C / heads).transpose(1, 2);         // (B, nh, T, hs)
        return (q, k, v);
    }
}

/// <summary>Position-wise feed-forward network: C → 4C → GELU → C.</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly GELU gelu;
    private readonly Linear c_proj;
    private readonly Dropout dropout;

    public Mlp(GptConfig config) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(config.EmbeddingDim, 4 * config.EmbeddingDim, hasBias: config.Bias);
        gelu = nn.GELU();
        c_proj = nn.Linear(4 * config.EmbeddingDim, config.EmbeddingDim, hasBias: config.Bias);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = gelu.call(c_fc.call(x));                                     // (B, T, 4C)
        return dropout.call(c_proj.call(h));                                 // (B, T, C)
    }
}

/// <summary>Pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
internal sealed class Block : nn.Module<Tensor, KvCache?, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;

    public Block(GptConfig config) : base(nameof(Block))
    {
        ln_1 = new LayerNorm(config.EmbeddingDim, config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = new LayerNorm(config.EmbeddingDim, config.Bias);
        mlp = new Mlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, KvCache? cache)
    {
        x = x + attn.call(ln_1.call(x), cache);                              // (B, T, C)
        return x + mlp.call(ln_2.call(x));                                   // (B, T, C)
    }

    /// <returns>(B, nh, T, T) attention weights of this block for input x (B, T, C).</returns>
    public Tensor AttentionWeights(Tensor x) => attn.Weights(ln_1.call(x));
}

/// <summary>nanoGPT's <c>transformer</c> ModuleDict as a class, so its children get GPT-2's names.</summary>
internal sealed class GptTransformer : nn.Module
{
    internal readonly Embedding wte;
    internal readonly Embedding wpe;
    internal readonly Dropout drop;
    internal readonly ModuleList<Block> h;
    internal readonly LayerNorm ln_f;

    public GptTransformer(GptConfig config) : base("transformer")
    {
        wte = nn.Embedding(config.VocabSize, config.EmbeddingDim);
        wpe = nn.Embedding(config.BlockSize, config.EmbeddingDim);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        ln_f = new LayerNorm(config.EmbeddingDim, config.Bias);
        RegisterComponents();
    }
}

/// <summary>A decoder-only transformer language model (GPT-2 architecture), as nanoGPT's <c>GPT</c>.</summary>
public sealed class GptModel : nn.Module<Tensor, Tensor>
{
    private readonly GptTransformer transformer;
    private readonly Linear lm_head;

    public GptModel(GptConfig config) : base("Gpt")
    {
        var issues = config.ValidateForBuild().ToList();
        if (issues.Count > 0)
            throw new ArgumentException("Invalid GPT config: " + string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")),
                nameof(config));
        Config = config;
        transformer = new GptTransformer(config);
        lm_head = nn.Linear(config.EmbeddingDim, config.VocabSize, hasBias: false);
        // Weight tying (Press & Wolf 2017): one Parameter, two uses; named_parameters() lists it once.
        if (config.TieWeights) lm_head.weight = transformer.wte.weight!;
        RegisterComponents();
        InitWeights();
    }

    public GptConfig Config { get; }

    /// <summary>GPT-2 init: N(0, 0.02) weights, zero biases, and residual projections scaled by 1/√(2·layers)
    /// so the residual stream's variance does not grow with depth (GPT-2 paper §2.3).</summary>
    private void InitWeights()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is Linear linear)
            {
                nn.init.normal_(linear.weight!, 0.0, 0.02);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
            else if (module is Embedding embedding)
            {
                nn.init.normal_(embedding.weight!, 0.0, 0.02);
            }
        }
        foreach (var (name, parameter) in named_parameters())
            if (name.EndsWith("c_proj.weight", StringComparison.Ordinal))
                nn.init.normal_(parameter, 0.0, 0.02 / Math.Sqrt(2.0 * Config.Layers));
    }

    /// <param name="idx">(B, T) int64 token ids, T ≤ block_size.</param>
    /// <returns>(B, T, V) next-token logits.</returns>
    public override Tensor forward(Tensor idx)
    {
        using var scope = NewDisposeScope();
        return Run(idx, null, 0).MoveToOuterDisposeScope();                  // (B, T, V)
    }

    /// <summary>Mean cross-entropy over all positions; targets equal to <paramref name="ignoreIndex"/> are skipped.</summary>
    /// <param name="logits">(B, T, V).</param>
    /// <param name="targets">(B, T) int64.</param>
    public Tensor Loss(Tensor logits, Tensor targets, long ignoreIndex = -100)
    {
        using var scope = NewDisposeScope();
        var flat = logits.view(-1, logits.shape[^1]);                        // (B*T, V)
        return nn.functional.cross_entropy(flat, targets.view(-1), ignore_index: ignoreIndex)
            .MoveToOuterDisposeScope();                                      // ()
    }

    /// <summary>Embeds idx (positions start at <paramref name="start"/>) and runs every block.</summary>
    private Tensor Run(Tensor idx, KvCache[]? caches, long start)
    {
        long T = idx.shape[1];
        if (start + T > Config.BlockSize)
            throw new ArgumentException(
                $"Sequence length {start + T} exceeds block_size {Config.BlockSize}.", nameof(idx));
        var pos = arange(start, start + T, ScalarType.Int64, idx.device);    // (T)
        var tok = transformer.wte.call(idx);                                 // (B, T, C)
        var x = transformer.drop.call(tok + transformer.wpe.call(pos));      // (B, T, C)
        for (int i = 0; i < transformer.h.Count; i++)
            x = transformer.h[i].call(x, caches?[i]);                        // (B, T, C)
        x = transformer.ln_f.call(x);                                        // (B, T, C)
        return lm_head.call(x);                                              // (B, T, V)
    }

    /// <summary>Autoregressive sampling from a prompt. With <paramref name="useCache"/> each step feeds only the
    /// new token and every layer appends its keys/values to a cache, so a step costs O(T) instead of O(T²).
    /// Once the sequence is longer than block_size the positions run out: from then on each step crops the
    /// context to its last block_size tokens and recomputes it without the cache, exactly as the uncached path
    /// (nanoGPT's <c>generate</c>) always does. Only <paramref name="generator"/> is used for randomness.</summary>
    /// <param name="idx">(1, T) int64 prompt, T ≥ 1.</param>
    /// <param name="temperature">Divides the logits; 0 means greedy (argmax).</param>
    /// <param name="topK">Keep only the k most likely tokens.</param>
    /// <param name="topP">Nucleus sampling: keep the smallest set of tokens whose probability sums to ≥ p.</param>
    /// <returns>(1, T + maxNewTokens) int64: the prompt followed by the sampled tokens.</returns>
    public Tensor Generate(Tensor idx, int maxNewTokens, double temperature, int? topK, double? topP,
        Generator generator, bool useCache = true)
    {
        if (idx.dim() != 2 || idx.shape[0] != 1 || idx.shape[1] < 1)
            throw new ArgumentException($"Expected a (1, T) prompt with T >= 1, got ({string.Join(", ", idx.shape)}).", nameof(idx));
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(temperature);
        if (topK is < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top_k must be >= 1");
        if (topP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(topP), topP, "top_p must be in (0, 1]");

        if (idx.dtype != ScalarType.Int64)
            throw new ArgumentException($"Expected int64 token ids, got {idx.dtype}.", nameof(idx));
        var device = idx.device;
        List<long> tokens;
        if (device.type == DeviceType.CPU) tokens = idx.data<long>().ToList();
        else using (var onCpu = idx.cpu()) tokens = onCpu.data<long>().ToList();
        bool wasTraining = training;
        eval();
        var caches = useCache ? Enumerable.Range(0, Config.Layers).Select(_ => new KvCache()).ToArray() : null;
        int cached = 0;   // tokens whose keys/values the caches hold
        try
        {
            using var _ = no_grad();
            for (int n = 0; n < maxNewTokens; n++)
            {
                using var scope = NewDisposeScope();
                Tensor logits;                                               // (1, t, V)
                if (caches is not null && tokens.Count <= Config.BlockSize)
                {
                    // The prompt on the first step, then only the token sampled last.
                    var fresh = tokens.Skip(cached).ToArray();
                    logits = Run(tensor(fresh, [1, fresh.Length], ScalarType.Int64, device), caches, cached);
                    cached = tokens.Count;
                }
                else
                {
                    var window = tokens.Skip(Math.Max(0, tokens.Count - Config.BlockSize)).ToArray();
                    logits = Run(tensor(window, [1, window.Length], ScalarType.Int64, device), null, 0);
                }
                var last = logits.select(1, -1);                             // (1, V)
                tokens.Add(SampleNext(last, temperature, topK, topP, generator).item<long>());
            }
        }
        finally
        {
            if (caches is not null) foreach (var cache in caches) cache.Dispose();
            train(wasTraining);
        }
        return tensor(tokens.ToArray(), [1, tokens.Count], ScalarType.Int64, device);
    }

    /// <summary>Picks the next token from (1, V) logits: temperature, then top-k, then top-p, then a draw.</summary>
    /// <returns>(1, 1) int64.</returns>
    internal static Tensor SampleNext(Tensor logits, double temperature, int? topK, double? topP, Generator generator)
    {
        if (temperature == 0) return logits.argmax(-1, keepdim: true);       // (1, 1)
        logits = logits / temperature;                                       // (1, V)
        if (topK is int k)
        {
            var (values, _) = logits.topk(Math.Min(k, (int)logits.shape[^1]));   // (1, k)
            var kth = values.narrow(-1, values.shape[^1] - 1, 1);           // (1, 1)
            logits = logits.masked_fill(logits < kth, double.NegativeInfinity);   // (1, V)
        }
        var probs = nn.functional.softmax(logits, -1);                      // (1, V)
        if (topP is double p && p < 1)
        {
            var (sorted, order) = probs.sort(-1, descending: true);          // (1, V), (1, V)
            // Drop a token when the tokens before it already reach p; the most likely token always stays.
            var before = sorted.cumsum(-1) - sorted;                         // (1, V)
            sorted = sorted.masked_fill(before >= p, 0.0);                   // (1, V)
            probs = zeros_like(probs).scatter(-1, order, sorted);            // (1, V)
        }
        return multinomial(probs, 1, generator: generator);                 // (1, 1)
    }

    /// <summary>Softmax attention of one layer for one sequence, computed explicitly (q·kᵀ/√hs, causal mask).</summary>
    /// <param name="idx">(1, T) or (T) int64 token ids.</param>
    /// <returns>(nh, T, T): row i is how much query i attends to each key j ≤ i.</returns>
    public Tensor AttentionWeights(Tensor idx, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Config.Layers);
        bool wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var batch = idx.dim() == 1 ? idx.unsqueeze(0) : idx;             // (1, T)
            long T = batch.shape[1];
            if (T > Config.BlockSize)
                throw new ArgumentException($"Sequence length {T} exceeds block_size {Config.BlockSize}.", nameof(idx));
            var pos = arange(0, T, ScalarType.Int64, idx.device);            // (T)
            var x = transformer.wte.call(batch) + transformer.wpe.call(pos); // (1, T, C)
            for (int i = 0; i < layer; i++)
                x = transformer.h[i].call(x, null);                          // (1, T, C)
            return transformer.h[layer].AttentionWeights(x)[0].MoveToOuterDisposeScope();   // (nh, T, T)
        }
        finally
        {
            train(wasTraining);
        }
    }
}
