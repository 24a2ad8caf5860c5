using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GenLab.Models.Diffusion;
using GenLab.Runner.Config;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>One DDPM training step of a U-Net — UNetConfig's defaults on 1×32×32 at batch 64, or an experiment's own
/// U-Net, image shape and batch (<c>--experiment</c>) — in TorchSharp and, when Debian's python3-torch is installed,
/// in the PyTorch reference benchmarks/pytorch/unet_bench.py, which builds the same modules under the same names. Both
/// draw x0 uniform in [-1, 1], t uniform in [0, 1000) and ε ~ N(0, I), noise x0 with DDPM's linear betas, and take an
/// AdamW step on the ε-MSE (GenLab's FlatOptimizer, as its trainer; PyTorch's multi-tensor foreach AdamW); both report
/// the median wall-clock and CPU time per step over the steps after warm-up. The state_dict keys, shapes and
/// parameter counts of the two are compared first.</summary>
internal static partial class UNetBenchmark
{
    private const int DiffusionSteps = 1000;

    /// <summary>What one training step processes: the U-Net's input images and the batch.</summary>
    public sealed record Shape(int Batch = 64, int ImageChannels = 1, int ImageSize = 32);

    /// <param name="threads">TorchSharp's intra-op threads; null tries 2 and 1 (each with a fresh model from the same
    /// seed) and compares the faster with the faster PyTorch setting.</param>
    public static int Run(string repoRoot, UNetConfig config, Shape shape, int steps, int warmup, int? threads, int? interop, bool withPyTorch)
    {
        var (batch, channels, size) = (shape.Batch, shape.ImageChannels, shape.ImageSize);
        if (interop is int n) set_num_interop_threads(n);
        manual_seed(1);
        var model = new UNet(config, channels, size);
        long parameters = model.parameters().Sum(p => p.numel());
        Console.WriteLine($"U-Net base_channels {config.BaseChannels}, channel_mults [{string.Join(", ", config.ChannelMults)}], "
            + $"blocks_per_level {config.BlocksPerLevel}, attention_levels [{string.Join(", ", config.AttentionLevels)}], "
            + $"mid_attention {config.MidAttention}, heads {config.Heads}, groups {config.Groups}, time_embedding_dim "
            + $"{config.TimeEmbeddingDim} on {channels}×{size}×{size}, batch {batch}: {parameters:N0} parameters");

        string script = Path.Combine(repoRoot, "benchmarks/pytorch/unet_bench.py");
        bool python = withPyTorch && ChildProcess.PythonTorchVersion() is not null;
        if (python)
        {
            var theirs = RunPython(script, [.. PythonArguments(config, shape), "--keys"], new()).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var ours = model.state_dict().Select(kv => $"{kv.Key} {string.Join("x", kv.Value.shape)}").ToArray();
            var differ = ours.Except(theirs).Concat(theirs.Except(ours)).ToList();
            Console.WriteLine(differ.Count == 0 && ours.Length == theirs.Length
                ? $"state_dict: the same {ours.Length} keys and shapes as the PyTorch reference"
                : $"state_dict DIFFERS from the PyTorch reference: {string.Join("; ", differ.Take(10))}");
        }

        double ms = double.PositiveInfinity;
        foreach (int count in threads is int t ? [t] : new[] { 2, 1 })
        {
            set_num_threads(count);
            if (model is null)
            {
                manual_seed(1);
                model = new UNet(config, channels, size);
            }
            var (median, cpu, first, last) = Train(model, shape, steps, warmup);
            model.Dispose();
            model = null;
            double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            Console.WriteLine($"TorchSharp {torch.__version__} (threads {get_num_threads()}, interop {get_num_interop_threads()}): "
                + $"median {median:F1} ms/step, {1000 / median:F2} steps/s, CPU {cpu:F1} ms/step over {steps} steps after {warmup} warm-up; "
                + $"loss {first:F4} -> {last:F4}; peak RSS so far {peakMb:F0} MB");
            ms = Math.Min(ms, median);
        }

        if (!python)
        {
            if (withPyTorch) Console.WriteLine("PyTorch: `apt-get install python3-torch` to measure the reference in the same run");
            return 0;
        }
        // Convolutions run in oneDNN on OpenMP threads, matrix products in OpenBLAS: try both ways of giving them the
        // two cores and keep the faster (../shared/notes/baselines.md).
        double best = double.PositiveInfinity;
        foreach (var (omp, blas) in new[] { ("2", "1"), ("1", "2") })
        {
            var (output, peak) = RunPython(script, [.. PythonArguments(config, shape), "--steps", $"{steps}", "--warmup", $"{warmup}"],
                new() { ["OMP_NUM_THREADS"] = omp, ["OPENBLAS_NUM_THREADS"] = blas });
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine($"  {line}");
            var count = ParametersLine().Match(output);
            if (count.Success && long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture) != parameters)
                Console.WriteLine($"  parameter counts DIFFER: PyTorch {count.Groups[1].Value}, TorchSharp {parameters}");
            var median = MedianLine().Match(output);
            if (!median.Success) throw new InvalidOperationException($"no timing from {script}:\n{output}");
            double theirs = double.Parse(median.Groups[1].Value, CultureInfo.InvariantCulture);
            Console.WriteLine($"PyTorch OMP_NUM_THREADS={omp} OPENBLAS_NUM_THREADS={blas}: median {theirs:F1} ms/step, "
                + $"CPU {median.Groups[2].Value} ms/step, peak RSS {peak:F0} MB");
            best = Math.Min(best, theirs);
        }
        Console.WriteLine($"ratio, faster TorchSharp setting / faster PyTorch setting, ms/step: {ms / best:F2}x");
        return 0;
    }

    /// <returns>Median wall-clock and CPU (all threads of the process) milliseconds per step. On a shared machine the
    /// CPU time of a 1-thread run is the steadier measure of the work done; with 2 threads it includes spin-waiting.</returns>
    private static (double Ms, double CpuMs, float FirstLoss, float LastLoss) Train(UNet model, Shape shape, int steps, int warmup)
    {
        var (batch, channels, size) = (shape.Batch, shape.ImageChannels, shape.ImageSize);
        // GenLab's trainer steps with FlatOptimizer (the reference: PyTorch's multi-tensor AdamW, foreach=True).
        using var optimizer = new FlatOptimizer(model, new TrainingConfig { Lr = 2e-4, WeightDecay = 0 });
        using var alphaBar = (1 - linspace(1e-4, 0.02, DiffusionSteps)).cumprod(0);  // (T) DDPM's ᾱ_t
        var times = new List<double>();
        var cpuTimes = new List<double>();
        using var process = Process.GetCurrentProcess();
        float first = float.NaN, last = float.NaN;
        for (int step = 0; step < warmup + steps; step++)
        {
            var clock = Stopwatch.StartNew();
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            using (var scope = NewDisposeScope())
            {
                var x0 = rand(batch, channels, size, size) * 2 - 1;                     // (B, C, H, W)
                var t = randint(0, DiffusionSteps, [batch]);                            // (B)
                var eps = randn(batch, channels, size, size);                           // (B, C, H, W)
                var ab = alphaBar[t].view(-1, 1, 1, 1);                                 // (B, 1, 1, 1)
                var xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps;                        // (B, C, H, W)
                var loss = nn.functional.mse_loss(model.call(xt, t, null), eps);        // ()
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step(maxNorm: 0);
                last = loss.item<float>();
            }
            if (step == 0) first = last;
            if (step < warmup) continue;
            times.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpuTimes.Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
        }
        return (Stats.Median(times), Stats.Median(cpuTimes), first, last);
    }

    /// <summary>The reference script's flags for the same architecture.</summary>
    private static string[] PythonArguments(UNetConfig c, Shape shape) =>
    [
        "--batch", $"{shape.Batch}", "--image-channels", $"{shape.ImageChannels}", "--image-size", $"{shape.ImageSize}",
        "--base-channels", $"{c.BaseChannels}", "--channel-mults", string.Join(",", c.ChannelMults),
        "--blocks-per-level", $"{c.BlocksPerLevel}", "--attention-levels", string.Join(",", c.AttentionLevels),
        "--heads", $"{c.Heads}", "--groups", $"{c.Groups}", "--time-embedding-dim", $"{c.TimeEmbeddingDim}",
        "--cond-dim", $"{c.CondDim}", .. c.MidAttention ? Array.Empty<string>() : ["--no-mid-attention"],
    ];

    /// <returns>The reference script's stdout and its peak RSS; throws when it fails.</returns>
    private static (string Output, double PeakMb) RunPython(string script, string[] args, Dictionary<string, string> environment)
    {
        var run = ChildProcess.Timed("/usr/bin/python3", Directory.GetCurrentDirectory(), [script, .. args], environment);
        if (run.Exit != 0) throw new InvalidOperationException($"{script} failed:\n{run.Tail()}");
        return (run.Output, run.PeakMb);
    }

    [GeneratedRegex(@"parameters (\d+)")]
    private static partial Regex ParametersLine();

    [GeneratedRegex(@"median ([\d.]+) ms/step, [\d.]+ steps/s, CPU ([\d.]+) ms/step")]
    private static partial Regex MedianLine();
}
