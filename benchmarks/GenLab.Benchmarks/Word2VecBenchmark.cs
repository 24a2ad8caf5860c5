using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GenLab.Models.Embeddings;

namespace GenLab.Benchmarks;

/// <summary>word2vec training throughput, skip-gram and CBOW, with gensim's settings (size 100, window 5, negative 5,
/// sample 1e-3, min_count 5, 5 epochs), against gensim itself on the same sentences when python3-gensim is installed.
/// Words per second count every corpus word of every epoch, before subsampling, as gensim and word2vec.c report.</summary>
internal static partial class Word2VecBenchmark
{
    private const int Seed = 1, Workers = 2;
    private static readonly string[] Probes = ["king", "love", "night", "lord", "sword"];

    [GeneratedRegex("[a-z']+")]
    private static partial Regex WordPattern();

    public static void Run(string path)
    {
        // One sentence per non-empty line, lower-cased [a-z']+ words (baselines.md's tokenisation).
        var sentences = File.ReadLines(path)
            .Select(line => WordPattern().Matches(line.ToLowerInvariant()).Select(m => m.Value).ToArray())
            .Where(words => words.Length > 0).ToArray();
        // One intra-op thread, two workers (like gensim's workers=2): each worker's small tensor operations run on its
        // own core. With libtorch's 2 OpenMP threads instead, its second thread spin-waited against our serial work
        // (index_add_) on this busy 2-core machine, and runs were up to 10x slower at random.
        TorchSharp.torch.set_num_threads(1);
        long words = sentences.Sum(s => (long)s.Length);
        Console.WriteLine($"corpus: {path} ({sentences.Length:N0} sentences, {words:N0} words), torch threads {TorchSharp.torch.get_num_threads()}, GenLab workers {Workers}, gensim workers 2");

        string? python = FindGensimPython();
        string? gensim = python is null ? null : WriteGensimScript(sentences);
        if (gensim is null) Console.WriteLine("gensim not found: `apt-get install python3-gensim` to add its rows");
        Console.WriteLine();
        Console.WriteLine("| model | GenLab s | GenLab words/s | gensim s | gensim words/s | GenLab/gensim |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var neighbours = new List<string>();
        foreach (var architecture in new[] { Word2VecArchitecture.SkipGram, Word2VecArchitecture.Cbow })
        {
            var config = new Word2VecConfig { Architecture = architecture, Workers = Workers };
            // Warm-up on a slice of the corpus: JIT and libtorch's first-call costs stay out of the timing.
            using (Word2VecModel.Train(sentences[..2000], config with { Epochs = 1 }, Seed)) { }
            var sw = Stopwatch.StartNew();
            using var model = Word2VecModel.Train(sentences, config, Seed);
            double seconds = sw.Elapsed.TotalSeconds, rate = words * config.Epochs / seconds;
            string theirs = "| – | – | – |";
            if (gensim is not null)
            {
                var (gs, gensimNeighbours) = RunGensim(python!, gensim, architecture);
                theirs = $"| {gs:F2} | {words * config.Epochs / gs:N0} | {gs / seconds:F2}x |";
                neighbours.Add($"gensim {architecture}: {gensimNeighbours}");
            }
            Console.WriteLine($"| {architecture} | {seconds:F2} | {rate:N0} {theirs}");
            neighbours.Add($"GenLab {architecture}: " + string.Join("; ", Probes.Where(p => model.Vocabulary.IndexOf(p) >= 0)
                .Select(p => $"{p} → {string.Join(" ", model.Nearest(p, 5).Select(n => n.Word))}")));
        }
        Console.WriteLine();
        Console.WriteLine("nearest 5 by cosine:");
        foreach (var line in neighbours) Console.WriteLine("  " + line);
        if (gensim is null) return;
        File.Delete(gensim);
        File.Delete(Path.ChangeExtension(gensim.Replace("w2v-gensim-", "w2v-corpus-"), ".txt"));
    }

    /// <summary>`python3` on the PATH if it imports gensim, else Debian's /usr/bin/python3 (where apt installs
    /// python3-gensim, and which a pyenv or venv python3 on the PATH does not see).</summary>
    private static string? FindGensimPython()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
            try
            {
                using var python = Process.Start(new ProcessStartInfo(candidate, ["-c", "import gensim"])
                    { RedirectStandardError = true, RedirectStandardOutput = true })!;
                python.WaitForExit();
                if (python.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        return null;
    }

    /// <summary>Writes the sentences (one per line, space-separated) and a script that trains on them and prints
    /// "seconds|neighbours".</summary>
    private static string WriteGensimScript(string[][] sentences)
    {
        string corpus = Path.Combine(Path.GetTempPath(), $"w2v-corpus-{Environment.ProcessId}.txt");
        File.WriteAllLines(corpus, sentences.Select(s => string.Join(' ', s)));
        string script = Path.Combine(Path.GetTempPath(), $"w2v-gensim-{Environment.ProcessId}.py");
        File.WriteAllText(script, $$"""
            import sys, time
            from gensim.models import Word2Vec
            sentences = [line.split() for line in open({{Quote(corpus)}}, encoding="utf-8")]
            sg = int(sys.argv[1])
            Word2Vec(sentences[:2000], vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, epochs=1, workers=2, sg=sg, seed={{Seed}})
            t = time.perf_counter()
            m = Word2Vec(sentences, vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, epochs=5, workers=2, sg=sg, seed={{Seed}})
            s = time.perf_counter() - t
            probes = [p for p in {{"[" + string.Join(", ", Probes.Select(Quote)) + "]"}} if p in m.wv]
            print("%f|%s" % (s, "; ".join(p + " → " + " ".join(w for w, _ in m.wv.most_similar(p, topn=5)) for p in probes)))
            """);
        return script;
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static (double Seconds, string Neighbours) RunGensim(string python3, string script, Word2VecArchitecture architecture)
    {
        var start = new ProcessStartInfo(python3, [script, architecture == Word2VecArchitecture.SkipGram ? "1" : "0"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var python = Process.Start(start)!;
        string output = python.StandardOutput.ReadToEnd();
        string errors = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0) throw new InvalidOperationException($"gensim failed: {errors}");
        var parts = output.Trim().Split('|', 2);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]);
    }
}
