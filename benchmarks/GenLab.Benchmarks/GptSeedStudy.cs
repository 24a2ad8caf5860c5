using System.Globalization;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;

namespace GenLab.Benchmarks;

/// <summary>Final val loss of nanoGPT's CPU Shakespeare configuration over several seeds: GenLab's runner and, given
/// its folder, nanoGPT itself, each model judged on 200 val batches. One seed's loss says little about a 0.01
/// difference (seeds move it by about that much); means over the same number of seeds say whether the two match.</summary>
internal static class GptSeedStudy
{
    public static int Run(string repoRoot, string corpus, IReadOnlyList<long> seeds, string? nanoGptDir)
    {
        string yaml = Path.Combine(repoRoot, "experiments/03-transformer/gpt-char-shakespeare-cpu.yaml");
        string dataPath = $"data.path={Path.GetFullPath(corpus)}";
        var genLab = new List<double>();
        var nano = new List<double>();
        Console.WriteLine("seed | GenLab val (20 batches) | GenLab val (200 batches) | nanoGPT val (20) | nanoGPT val (200)");
        foreach (long seed in seeds)
        {
            string seedText = seed.ToString(CultureInfo.InvariantCulture);
            string results = Directory.CreateTempSubdirectory("genlab-seeds-").FullName;
            try
            {
                var loaded = ExperimentLoader.Load(yaml, [dataPath, $"seed={seedText}"]);
                var (run, runDir) = GptBenchmark.GenLabRun(repoRoot, yaml, loaded, results, ["--seed", seedText, "--set", dataPath]);
                if (runDir is null) return run.Exit;
                double val20 = GptBenchmark.LastValLoss(MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics)));
                genLab.Add(GptBenchmark.FinalValLoss(loaded, runDir, results));
                string peer = "", peer200 = "";
                if (nanoGptDir is not null)
                {
                    var (_, peerVal, _, _) = GptBenchmark.NanoGpt(nanoGptDir, repoRoot, seed);
                    peer200 = GptBenchmark.NanoGptVal200(repoRoot, nanoGptDir);
                    peer = peerVal.ToString("F4", CultureInfo.InvariantCulture);
                    if (double.TryParse(peer200.Split(' ')[0], CultureInfo.InvariantCulture, out double value)) nano.Add(value);
                }
                Console.WriteLine($"{seed} | {val20:F4} | {genLab[^1]:F4} | {peer} | {peer200}");
            }
            finally { Directory.Delete(results, recursive: true); }
        }
        Console.WriteLine($"GenLab:  mean {Stats.Mean(genLab):F4} ± {Stats.StandardDeviation(genLab):F4} (sample sd) over {genLab.Count} seeds, "
            + $"best {genLab.Min():F4}, worst {genLab.Max():F4}");
        if (nano.Count > 0)
            Console.WriteLine($"nanoGPT: mean {Stats.Mean(nano):F4} ± {Stats.StandardDeviation(nano):F4} (sample sd) over {nano.Count} seeds, "
                + $"best {nano.Min():F4}, worst {nano.Max():F4}");
        return 0;
    }
}
