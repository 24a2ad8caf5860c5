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

    public static int Run(string repoRoot, string corpus, string? nanoGptDir)
    {
        string yaml = Path.Combine(repoRoot, "experiments/03-transformer/gpt-char-shakespeare-cpu.yaml");
        var loaded = ExperimentLoader.Load(yaml, [$"data.path={Path.GetFullPath(corpus)}"]);
        Console.WriteLine($"torch threads {get_num_threads()}, corpus {corpus}");

        // 1. Bare loops: same model, schedule and batches; nothing else. One with the runner's flat AdamW, one with
        // TorchSharp's own per-parameter AdamW and clip_grad_norm_ (what a first TorchSharp loop would use).
        double stockMs = BareLoop(loaded, flat: false);
        Console.WriteLine($"bare TorchSharp loop, torch.optim.AdamW: median {stockMs:F1} ms/iter ({BareIterations} iterations after {Warmup} warm-up)");
        double bareMs = BareLoop(loaded, flat: true);
        Console.WriteLine($"bare TorchSharp loop, GenLab's FlatOptimizer: median {bareMs:F1} ms/iter");

        // 2. GenLab's runner on the real experiment.
        string results = Directory.CreateTempSubdirectory("genlab-bench-").FullName;
        var clock = Stopwatch.StartNew();
        var session = new ExperimentSession(NullLogger<ExperimentSession>.Instance, new RunLogFile());
        int exit = session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = results }, CancellationToken.None);
        double wall = clock.Elapsed.TotalSeconds;
        if (exit != 0) { Console.Error.WriteLine($"GenLab run failed with exit code {exit}"); return exit; }
        string runDir = session.Recorder!.Folder.Path;
        var rows = MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics));
        double[] stepsPerSecond = [.. rows.Where(r => r.Metric == "steps_per_s" && r.Step > 10).Select(r => r.Value)];
        double genLabMs = 1000 / Median(stepsPerSecond);
        double Rss(long step) => rows.Where(r => r.Metric == "rss_mb" && r.Step <= step).MaxBy(r => r.Step)!.Value;
        double peakRss = rows.Where(r => r.Metric == "rss_mb").Max(r => r.Value);
        double tokensPerSecond = Median([.. rows.Where(r => r.Metric == "tokens_per_s" && r.Step > 10).Select(r => r.Value)]);
        double val20 = rows.Where(r => r.Split == "val" && r.Metric == "loss").MaxBy(r => r.Step)!.Value;
        double val200 = FinalValLoss(loaded, runDir, results);
        Console.WriteLine($"GenLab runner: median {genLabMs:F1} ms/iter, {tokensPerSecond:N0} tokens/s, wall {wall:F0} s for 2000 iterations "
            + "(evals, checkpoints and reports included)");
        Console.WriteLine($"  val loss at 2000: {val20:F4} (20 batches), {val200:F4} (200 batches); RSS {Rss(500):F0} MB at 500, {Rss(2000):F0} MB at 2000, peak {peakRss:F0} MB");
        Console.WriteLine($"  runner overhead over the bare loop: {genLabMs / bareMs:F2}x");

        // 3. nanoGPT, when its folder is given.
        if (nanoGptDir is null)
        {
            Console.WriteLine("nanoGPT: pass --nanogpt <folder of karpathy/nanoGPT with data/shakespeare_char prepared> to measure the peer");
            return 0;
        }
        var (peerMs, peerVal, peerWall, peerRssMb) = NanoGpt(nanoGptDir);
        Console.WriteLine($"nanoGPT (PyTorch {PythonTorchVersion()}, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2): median {peerMs:F1} ms/iter, "
            + $"val loss {peerVal:F4} (20 batches), wall {peerWall:F0} s, peak RSS {peerRssMb:F0} MB");
        Console.WriteLine($"ratios: GenLab/nanoGPT ms/iter {genLabMs / peerMs:F2}x, bare/nanoGPT {bareMs / peerMs:F2}x, wall {wall / peerWall:F2}x");
        Directory.Delete(results, recursive: true);
        return 0;
    }

    private static double BareLoop(LoadedExperiment loaded, bool flat)
    {
        var t = loaded.Config.Training;
        manual_seed(loaded.Config.Seed);
        using var experiment = new GptExperiment(loaded.Config, CPU, new ExperimentContext("results", Directory.GetCurrentDirectory()));
        var batches = SplitMix64.ForPurpose(loaded.Config.Seed, "batches");
        var times = new List<double>();
        if (flat)
        {
            using var optimizer = new FlatOptimizer(experiment.Model, t);
            for (int step = 0; step < Warmup + BareIterations; step++)
            {
                var clock = Stopwatch.StartNew();
                optimizer.LearningRate = LearningRateSchedule.At(t, step);
                optimizer.ZeroGrad();
                using (var scope = NewDisposeScope())
                {
                    var loss = experiment.TrainingLoss(batches, t.BatchSize);
                    loss.backward();
                    loss.item<float>();
                }
                optimizer.Step(t.GradClip);
                if (step >= Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
            }
            return Median([.. times]);
        }
        var parameters = experiment.Model.parameters().ToArray();
        using var stock = optim.AdamW(
            [new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), new AdamW.Options { weight_decay = t.WeightDecay }),
             new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), new AdamW.Options { weight_decay = 0 })],
            lr: t.Lr, beta1: t.Beta1, beta2: t.Beta2);
        for (int step = 0; step < Warmup + BareIterations; step++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var group in stock.ParamGroups) group.LearningRate = LearningRateSchedule.At(t, step);
            using (var scope = NewDisposeScope())
            {
                stock.zero_grad();
                var loss = experiment.TrainingLoss(batches, t.BatchSize);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, t.GradClip);
                stock.step();
                loss.item<float>();
            }
            if (step >= Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median([.. times]);
    }

    /// <summary>nanoGPT reports 1.88 on a 200-batch estimate; 20-batch evals wobble, so judge the final model on 200.</summary>
    private static double FinalValLoss(LoadedExperiment loaded, string runDir, string results)
    {
        var checkpoint = new CheckpointStore(Path.Combine(runDir, RunFiles.Checkpoints)).NewestValid()!;
        using var experiment = new GptExperiment(loaded.Config, CPU, new ExperimentContext(results, Directory.GetCurrentDirectory(), checkpoint));
        experiment.Model.load(checkpoint.File(GptCheckpoint.ModelFile));
        experiment.Model.eval();
        using var _ = no_grad();
        return experiment.MeanLoss("val", 200, loaded.Config.Training.BatchSize);
    }

    private static (double Ms, double Val, double Wall, double RssMb) NanoGpt(string dir)
    {
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-f", "PEAK_RSS_KB %M", "/usr/bin/python3", "train.py", "config/train_shakespeare_char.py",
                     "--device=cpu", "--compile=False", "--eval_iters=20", "--log_interval=1", "--block_size=64", "--batch_size=12",
                     "--n_layer=4", "--n_head=4", "--n_embd=128", "--max_iters=2000", "--lr_decay_iters=2000", "--dropout=0.0" })
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "2";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        string err = stderr.Result;
        var times = IterLine().Matches(stdout).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Skip(10).ToArray();
        var vals = ValLine().Matches(stdout).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var rss = RssLine().Match(err);
        if (times.Length == 0 || vals.Count == 0)
            throw new InvalidOperationException($"nanoGPT produced no iteration lines:\n{stdout[^Math.Min(2000, stdout.Length)..]}\n{err[^Math.Min(2000, err.Length)..]}");
        return (Median(times), vals[^1], wall, rss.Success ? double.Parse(rss.Groups[1].Value, CultureInfo.InvariantCulture) / 1024 : double.NaN);
    }

    private static string PythonTorchVersion()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import torch; print(torch.__version__)\"") { RedirectStandardOutput = true })!;
            string v = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return v;
        }
        catch (System.ComponentModel.Win32Exception) { return "?"; }
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [GeneratedRegex(@"iter \d+: loss [\d.]+, time ([\d.]+)ms")]
    private static partial Regex IterLine();

    [GeneratedRegex(@"step \d+: train loss [\d.]+, val loss ([\d.]+)")]
    private static partial Regex ValLine();

    [GeneratedRegex(@"PEAK_RSS_KB (\d+)")]
    private static partial Regex RssLine();
}
