using System.Diagnostics;
using System.Text;
using GenLab.Models.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace GenLab.Benchmarks;

/// <summary>Training time of our GPT-4-regex BPE at vocabulary 4096 and encoding throughput of our encoder against
/// Microsoft.ML.Tokenizers' cl100k (same ranks, same regex), on one corpus.</summary>
internal static class BpeBenchmark
{
    private const int VocabSize = 4096, TrainRuns = 3, EncodeRuns = 7;

    public static void Run(string path)
    {
        string text = File.ReadAllText(path);
        double megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
        Console.WriteLine($"corpus: {path} ({text.Length:N0} chars, {megabytes:F2} MB UTF-8)");

        BytePairTokenizer trained = null!;
        double trainSeconds = Median(TrainRuns, () => trained = BytePairTokenizer.Train(text, VocabSize, BpeSplit.Gpt4));
        Console.WriteLine($"train gpt4-regex BPE to {VocabSize}: {trainSeconds:F3} s (median of {TrainRuns})");

        var sw = Stopwatch.StartNew();
        var ours100k = BytePairTokenizer.Cl100kFromPackage();
        Console.WriteLine($"load cl100k ranks from the package: {sw.Elapsed.TotalSeconds:F3} s");
        var ml = TiktokenTokenizer.CreateForEncoding("cl100k_base");

        var rows = new List<(string Name, int Tokens, double Seconds)>
        {
            Encode($"ours, trained {VocabSize}", () => trained.Encode(text).Count),
            Encode("ours, cl100k ranks", () => ours100k.Encode(text).Count),
            Encode("ML.Tokenizers cl100k", () => ml.EncodeToIds(text).Count),
        };

        Console.WriteLine();
        Console.WriteLine($"| encoder (median of {EncodeRuns}, after warm-up) | tokens | seconds | MB/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, tokens, seconds) in rows)
            Console.WriteLine($"| {name} | {tokens:N0} | {seconds:F4} | {megabytes / seconds:F1} |");
        Console.WriteLine();
        Console.WriteLine($"ours trained 4096 / ML.Tokenizers cl100k speed: {rows[2].Seconds / rows[0].Seconds:F2}x");
        Console.WriteLine($"ours cl100k / ML.Tokenizers cl100k speed: {rows[2].Seconds / rows[1].Seconds:F2}x");
        Console.WriteLine($"ours cl100k ids equal ML.Tokenizers': {ours100k.Encode(text).SequenceEqual(ml.EncodeToIds(text))}");

        (string, int, double) Encode(string name, Func<int> encode)
        {
            // Warm-up: JIT (several passes, so tiered compilation reaches its optimised code before timing),
            // the compiled regex and the chunk caches.
            int tokens = 0;
            for (int i = 0; i < 3; i++) tokens = encode();
            return (name, tokens, Median(EncodeRuns, () => encode()));
        }
    }

    private static double Median(int runs, Action action)
    {
        var seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            seconds[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(seconds);
        return seconds[runs / 2];
    }
}
