using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GenLab.Models.Data;
using GenLab.Models.Gpt;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Training;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>nanoGPT's CPU Shakespeare configuration three ways, in one sitting: GenLab's runner (the real experiment,
/// with metrics, evals, checkpoints and reports), a bare TorchSharp loop of the same model (what the runner adds on
/// top), and — given its folder — nanoGPT's own train.py on Debian's PyTorch at its best thread setting.</summary>
internal static partial class GptBenchmark
{
    private const int BareIterations = 300, Warmup = 20;

    /// <param name="bareOnly">Measure the two bare loops and stop (no runner, no nanoGPT).</param>
    public static int Run(string repoRoot, string corpus, string? nanoGptDir, bool bareOnly = false)
    {
        string yaml = Path.Combine(repoRoot, "experiments/03-transformer/gpt-char-shakespeare-cpu.yaml");
        var loaded = ExperimentLoader.Load(yaml, [$"data.path={Path.GetFullPath(corpus)}"]);
        Console.WriteLine($"torch threads {get_num_threads()}, corpus {corpus}");

        // 1. Bare loops: same model, schedule and batches; nothing else.
        var before = BareLoops(loaded);
        Console.WriteLine($"bare TorchSharp loop, torch.optim.AdamW: median {before.StockMs:F1} ms/iter ({BareIterations} iterations after {Warmup} warm-up, "
            + $"interleaved with the next in rounds of {RoundSteps})");
        Console.WriteLine($"bare TorchSharp loop, GenLab's FlatOptimizer: median {before.FlatMs:F1} ms/iter");
        double stepGflop = MatmulFloor.StepFlops(before.Network, loaded.Config.Training.BatchSize) / 1e9;
        PrintFloor(before, stepGflop);
        if (bareOnly) return 0;

        // 2. GenLab's runner on the real experiment, as the CLI a student starts (its own process, so its peak RSS is
        // its own and not the bare loops'). Every few seconds it is stopped (SIGSTOP) while the bare FlatOptimizer loop
        // takes a round in this process, then goes on: the two are compared over the same minutes of a machine whose
        // speed drifts, never side by side on the same cores.
        string results = Directory.CreateTempSubdirectory("genlab-bench-").FullName;
        using var alongside = new Alongside(loaded);
        var (genLab, runDir) = GenLabRun(repoRoot, yaml, loaded, results, ["--set", $"data.path={Path.GetFullPath(corpus)}"], alongside.Round);
        if (runDir is null) return genLab.Exit;
        var rows = MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics));
        double[] stepsPerSecond = [.. rows.Where(r => r.Metric == "steps_per_s" && r.Step > 10).Select(r => r.Value)];
        double genLabMs = 1000 / Stats.Median(stepsPerSecond);
        double Rss(long step) => rows.Where(r => r.Metric == "rss_mb" && r.Step <= step).MaxBy(r => r.Step)!.Value;
        double tokensPerSecond = Stats.Median(rows.Where(r => r.Metric == "tokens_per_s" && r.Step > 10).Select(r => r.Value));
        double val20 = LastValLoss(rows);
        double val200 = FinalValLoss(loaded, runDir, results);
        Directory.Delete(results, recursive: true);
        Console.WriteLine($"GenLab runner (genlab run, GENLAB_THREADS default): median {genLabMs:F1} ms/iter, {tokensPerSecond:N0} tokens/s, "
            + $"wall {genLab.WallSeconds:F0} s for 2000 iterations (start-up, evals, checkpoints and reports included; the pauses left out)");
        Console.WriteLine($"  val loss at 2000: {val20:F4} (20 batches), {val200:F4} (200 batches); RSS {Rss(500):F0} MB at 500, "
            + $"{Rss(2000):F0} MB at 2000 ({(Rss(2000) / Rss(500) - 1) * 100:+0.0;-0.0}%), peak {genLab.PeakMb:F0} MB (/usr/bin/time)");
        var during = alongside.Result();
        Console.WriteLine($"bare FlatOptimizer loop while the runner was paused: median {during.FlatMs:F1} ms/iter ({alongside.Rounds} rounds of "
            + $"{AlongsideRound} iterations, one every {PauseEvery.TotalSeconds:F0} s of the run)");
        PrintFloor(during, stepGflop);
        double bareMs = during.FlatMs;
        Console.WriteLine($"  runner overhead over the bare loop: {genLabMs / bareMs:F2}x (the runner's median 10-step window against the bare loop's "
            + $"median step in the same minutes; a window the pause fell in counts the pause, so this errs against the runner)");

        // 3. nanoGPT, when its folder is given.
        if (nanoGptDir is null)
        {
            Console.WriteLine("nanoGPT: pass --nanogpt <folder of karpathy/nanoGPT with data/shakespeare_char prepared> to measure the peer");
            return 0;
        }
        var (peerMs, peerVal, peerWall, peerRssMb) = NanoGpt(nanoGptDir, repoRoot);
        string peerVal200 = NanoGptVal200(repoRoot, nanoGptDir);
        Console.WriteLine($"nanoGPT (PyTorch {ChildProcess.PythonTorchVersion() ?? "?"}, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2): median {peerMs:F1} ms/iter, "
            + $"val loss {peerVal:F4} (20 batches), {peerVal200} (200 batches, its saved checkpoint), wall {peerWall:F0} s, peak RSS {peerRssMb:F0} MB");
        Console.WriteLine($"ratios: GenLab/nanoGPT ms/iter {genLabMs / peerMs:F2}x, bare/nanoGPT {bareMs / peerMs:F2}x, wall {genLab.WallSeconds / peerWall:F2}x, "
            + $"matrix-product floor/nanoGPT {stepGflop / during.PeakGflops * 1000 / peerMs:F2}x");
        return 0;
    }

    /// <summary>What the bare loops measured: median ms per step with TorchSharp's AdamW and with GenLab's
    /// FlatOptimizer, the matrix-product rate sampled between their rounds (median GFLOP/s) and, per round, the flat
    /// loop's median step over the floor of that round's rate.</summary>
    private sealed record BareResult(double StockMs, double FlatMs, double PeakGflops, List<double> FloorRatios, GptConfig Network);

    /// <summary>The two bare loops, interleaved in rounds of <see cref="RoundSteps"/> steps so both see the same machine (on a
    /// shared 2-core VM the speed drifts by tens of percent between minutes), each with its own model from the same
    /// seed; after each round, 1024×1024 products measure the matrix-product rate of that minute, so the floor the
    /// loop is held against drifts with it.</summary>
    private static BareResult BareLoops(LoadedExperiment loaded)
    {
        using var stock = new BareLoop(loaded, flat: false);
        using var flat = new BareLoop(loaded, flat: true);
        var sampler = new FloorSampler(flat, loaded.Config.Training.BatchSize);
        for (int step = 0; step < Warmup + BareIterations; step += RoundSteps)
        {
            bool timed = step >= Warmup;
            stock.Steps(RoundSteps, timed);
            if (timed) sampler.Round(RoundSteps);
            else flat.Steps(RoundSteps, timed: false);
        }
        return sampler.Result(Stats.Median(stock.Times));
    }

    /// <summary>Timed rounds of a bare FlatOptimizer loop, each followed by a sample of the matrix-product rate.</summary>
    private sealed class FloorSampler
    {
        private readonly BareLoop _flat;
        private readonly GptConfig _network;
        private readonly double _stepGflop;
        private readonly List<double> _rates = [], _ratios = [];

        public FloorSampler(BareLoop flat, int batch)
        {
            _flat = flat;
            _network = ((GptModel)flat.Model).Config;
            _stepGflop = MatmulFloor.StepFlops(_network, batch) / 1e9;
        }

        public void Round(int steps)
        {
            int before = _flat.Times.Count;
            _flat.Steps(steps, timed: true);
            double rate = MatmulFloor.PeakGflops(repeats: 5, warmup: 1);
            _rates.Add(rate);
            _ratios.Add(Stats.Median(_flat.Times.Skip(before)) / (_stepGflop / rate * 1000));   // the step over its floor, ms / ms
        }

        public BareResult Result(double stockMs) => new(stockMs, Stats.Median(_flat.Times), Stats.Median(_rates), _ratios, _network);
    }

    private static readonly TimeSpan PauseEvery = TimeSpan.FromSeconds(4);
    private const int AlongsideRound = 20;

    /// <summary>The bare FlatOptimizer loop that takes its rounds while the runner is paused.</summary>
    private sealed class Alongside : IDisposable
    {
        private readonly BareLoop _flat;
        private readonly FloorSampler _sampler;

        public Alongside(LoadedExperiment loaded)
        {
            _flat = new BareLoop(loaded, flat: true);
            _flat.Steps(Warmup, timed: false);
            _sampler = new FloorSampler(_flat, loaded.Config.Training.BatchSize);
        }

        public int Rounds { get; private set; }

        public void Round()
        {
            _sampler.Round(AlongsideRound);
            Rounds++;
        }

        /// <summary>What the rounds measured (no TorchSharp-AdamW loop here: its median is NaN).</summary>
        public BareResult Result() => _sampler.Result(double.NaN);

        public void Dispose() => _flat.Dispose();
    }

    private static void PrintFloor(BareResult bare, double stepGflop)
    {
        double floorMs = stepGflop / bare.PeakGflops * 1000;
        Console.WriteLine($"floor: one step's matrix products are {stepGflop:F2} GFLOP; this machine's matrix products ran at "
            + $"{bare.PeakGflops:F0} GFLOP/s meanwhile (median of 1024x1024 products on {get_num_threads()} threads, sampled after each "
            + $"round), so no step can take under {floorMs:F1} ms; the FlatOptimizer loop is {Stats.Median(bare.FloorRatios):F2}x the floor "
            + $"(median of the rounds' ratios; rounds {bare.FloorRatios.Min():F2}–{bare.FloorRatios.Max():F2}x)");
    }

    private const int RoundSteps = 10;

    /// <summary>Training steps of the experiment's model with nothing else around them: the same schedule and batches
    /// as the runner; the optimizer is either GenLab's FlatOptimizer or TorchSharp's AdamW + clip_grad_norm_ (what a
    /// first TorchSharp loop would use).</summary>
    private sealed class BareLoop : IDisposable
    {
        private readonly TrainingConfig t;
        private readonly GptExperiment experiment;
        private readonly SplitMix64 batches;
        private readonly FlatOptimizer? flat;
        private readonly AdamW? stock;
        private readonly Parameter[] parameters;
        private int step;

        public BareLoop(LoadedExperiment loaded, bool flat)
        {
            t = loaded.Config.Training;
            manual_seed(loaded.Config.Seed);
            experiment = new GptExperiment(loaded.Config, CPU, new ExperimentContext("results", Directory.GetCurrentDirectory()));
            batches = SplitMix64.ForPurpose(loaded.Config.Seed, "batches");
            parameters = experiment.Model.parameters().ToArray();
            if (flat) this.flat = new FlatOptimizer(experiment.Model, t);
            else stock = optim.AdamW(
                [new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), new AdamW.Options { weight_decay = t.WeightDecay }),
                 new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), new AdamW.Options { weight_decay = 0 })],
                lr: t.Lr, beta1: t.Beta1, beta2: t.Beta2);
        }

        public List<double> Times { get; } = [];

        public nn.Module Model => experiment.Model;

        public void Steps(int count, bool timed)
        {
            for (int i = 0; i < count; i++, step++)
            {
                var clock = Stopwatch.StartNew();
                double lr = LearningRateSchedule.At(t, step);
                if (flat is not null)
                {
                    flat.LearningRate = lr;
                    flat.ZeroGrad();
                }
                else
                {
                    foreach (var group in stock!.ParamGroups) group.LearningRate = lr;
                    stock.zero_grad();
                }
                using (var scope = NewDisposeScope())
                {
                    var loss = experiment.TrainingLoss(batches, t.BatchSize);
                    loss.backward();
                    loss.item<float>();
                    if (stock is not null)
                    {
                        nn.utils.clip_grad_norm_(parameters, t.GradClip);
                        stock.step();
                    }
                }
                flat?.Step(t.GradClip);
                if (timed) Times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        public void Dispose()
        {
            flat?.Dispose();
            stock?.Dispose();
            experiment.Dispose();
        }
    }

    /// <summary>`genlab run` of the experiment as a student starts it, in its own process (under /usr/bin/time), into
    /// <paramref name="results"/>.</summary>
    /// <param name="whilePaused">When given, runs every <see cref="PauseEvery"/> while the run is stopped (SIGSTOP).</param>
    /// <returns>The process and its run folder; no folder (and the failure printed) when it failed.</returns>
    internal static (ChildRun Run, string? RunDir) GenLabRun(string repoRoot, string yaml, LoadedExperiment loaded, string results,
        IEnumerable<string> options, Action? whilePaused = null)
    {
        var child = ChildProcess.StartTimed(Path.Combine(AppContext.BaseDirectory, "genlab"), repoRoot, ["run", yaml, .. options, "--results", results]);
        while (whilePaused is not null && !child.HasExited)
        {
            Thread.Sleep(PauseEvery);
            if (!child.Pause(whilePaused)) break;
        }
        var run = child.Finish();
        if (run.Exit != 0)
        {
            Console.Error.WriteLine($"GenLab run failed with exit code {run.Exit}:\n{run.Tail()}");
            return (run, null);
        }
        return (run, Directory.GetDirectories(Path.Combine(results, loaded.Config.Name)).Single(d => Path.GetFileName(d) != "latest"));
    }

    /// <summary>The last eval's val loss (on the experiment's eval_batches).</summary>
    internal static double LastValLoss(IEnumerable<MetricRow> rows) =>
        rows.Where(r => r.Split == "val" && r.Metric == "loss").MaxBy(r => r.Step)!.Value;

    /// <summary>nanoGPT reports 1.88 on a 200-batch estimate; 20-batch evals wobble, so judge the final model on 200.</summary>
    internal static double FinalValLoss(LoadedExperiment loaded, string runDir, string results)
    {
        var checkpoint = new CheckpointStore(Path.Combine(runDir, RunFiles.Checkpoints)).NewestValid()!;
        using var experiment = new GptExperiment(loaded.Config, CPU, new ExperimentContext(results, Directory.GetCurrentDirectory(), checkpoint));
        experiment.Model.load(checkpoint.File(GptCheckpoint.ModelFile));
        experiment.Model.eval();
        using var _ = no_grad();
        return experiment.MeanLoss("val", 200, loaded.Config.Training.BatchSize);
    }

    private static readonly Dictionary<string, string> NanoGptThreads = new() { ["OMP_NUM_THREADS"] = "1", ["OPENBLAS_NUM_THREADS"] = "2" };

    /// <param name="seed">Null: nanoGPT's own seed (1337); else run through benchmarks/pytorch/nanogpt_seeded.py.</param>
    internal static (double Ms, double Val, double Wall, double RssMb) NanoGpt(string dir, string repoRoot, long? seed = null)
    {
        string[] script = seed is long s ? [Path.Combine(repoRoot, "benchmarks/pytorch/nanogpt_seeded.py"), s.ToString(CultureInfo.InvariantCulture)] : ["train.py"];
        var run = ChildProcess.Timed("/usr/bin/python3", dir,
            [.. script, "config/train_shakespeare_char.py", "--device=cpu", "--compile=False", "--eval_iters=20", "--log_interval=1",
             "--block_size=64", "--batch_size=12", "--n_layer=4", "--n_head=4", "--n_embd=128", "--max_iters=2000",
             "--lr_decay_iters=2000", "--dropout=0.0"], NanoGptThreads);
        var times = IterLine().Matches(run.Output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Skip(10).ToArray();
        var vals = ValLine().Matches(run.Output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        if (run.Exit != 0 || times.Length == 0 || vals.Count == 0)
            throw new InvalidOperationException($"nanoGPT exited {run.Exit} with no iteration lines:\n{run.Tail()}");
        return (Stats.Median(times), vals[^1], run.WallSeconds, run.PeakMb);
    }

    /// <summary>nanoGPT's own checkpoint (written at its best 20-batch val) judged like GenLab's: 200 val batches.</summary>
    internal static string NanoGptVal200(string repoRoot, string dir)
    {
        var run = ChildProcess.Timed("/usr/bin/python3", dir,
            [Path.Combine(repoRoot, "benchmarks/pytorch/nanogpt_val.py"), "--batches", "200"], NanoGptThreads);
        return run.Exit == 0 ? run.Output.Trim().Split('\n')[^1] : $"? (nanogpt_val.py exited {run.Exit}: {run.Tail(300)})";
    }

    [GeneratedRegex(@"iter \d+: loss [\d.]+, time ([\d.]+)ms")]
    private static partial Regex IterLine();

    [GeneratedRegex(@"step \d+: train loss [\d.]+, val loss ([\d.]+)")]
    private static partial Regex ValLine();
}
