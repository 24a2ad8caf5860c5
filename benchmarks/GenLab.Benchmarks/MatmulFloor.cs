using System.Diagnostics;
using GenLab.Models.Gpt;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>The least time a GPT training step can take on this machine: its matrix-product FLOPs divided by the
/// machine's measured single-precision matrix-product rate (TorchSharp's own, at a size where per-call overhead
/// vanishes). No optimisation of the step can beat it; it puts a ms/iter goal in proportion.</summary>
internal static class MatmulFloor
{
    /// <summary>FLOPs of one training step's matrix products: 6 per weight per token for the linear maps (2 forward,
    /// 4 backward for the input and weight gradients), counting the tied LM head but not the position-embedding
    /// lookup; attention's QKᵀ and AV at 3× their forward cost, over the full T×T square (causal kernels may skip
    /// up to half of it).</summary>
    public static double StepFlops(GptConfig config, int batch)
    {
        long d = config.EmbeddingDim, layers = config.Layers, t = config.BlockSize, tokens = batch * t;
        long perLayer = d * 3 * d + d * d + d * 4 * d + 4 * d * d;   // c_attn, attn c_proj, mlp c_fc, mlp c_proj
        long weights = layers * perLayer + config.VocabSize * d;        // + lm_head (tied to wte)
        double attention = 3.0 * layers * 2 * (2.0 * batch * t * t * d); // QKᵀ and AV, forward + backward
        return 6.0 * weights * tokens + attention;
    }

    /// <summary>Median GFLOP/s of n×n·n×n products on libtorch's current threads (after <paramref name="warmup"/>
    /// untimed ones; a sample taken between a benchmark's rounds can skip them).</summary>
    public static double PeakGflops(int n = 1024, int repeats = 30, int warmup = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        var times = new List<double>();
        for (int i = -warmup; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var product = matmul(a, b)) { }
            if (i >= 0) times.Add(clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / Stats.Median(times) / 1e9;
    }
}
