using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GenLab.Models.Embeddings;

namespace GenLab.Benchmarks;

/// <summary>word2vec training throughput, skip-gram and CBOW, with word2vec.c's settings (size 100, window 5, negative 5,
/// sample 1e-3, min_count 5, 5 epochs, alpha 0.025 / 0.05 decaying to alpha·1e-4), GenLab's hogwild trainer against
/// gensim itself on the same sentences with the same settings, in rounds that alternate the two (the machine's speed
/// drifts), when python3-gensim is installed; then the torch trainer once for reference. Words per second count every
/// corpus word of every epoch, before subsampling, as gensim and word2vec.c report. Quality: the nearest neighbours of
/// a few words, and how many of the 10 nearest neighbours of the 200 most frequent words two models share —
/// GenLab against gensim beside gensim against gensim from another seed, which is how far two good runs differ.</summary>
internal static partial class Word2VecBenchmark
{
    private const int Seed = 1, Workers = 2, Frequent = 200, TopK = 10;
    private static readonly string[] Probes = ["king", "love", "night", "lord", "sword"];
    /// <summary>Pairs of related words that occur at least 20 times each in tiny Shakespeare: a model is better the
    /// nearer each word ranks its partner (a check with an answer, beside the agreement between models).</summary>
    private static readonly (string, string)[] Related =
    [
        ("king", "queen"), ("father", "mother"), ("son", "daughter"), ("brother", "sister"), ("husband", "wife"),
        ("lord", "lady"), ("man", "woman"), ("he", "she"), ("his", "her"), ("day", "night"), ("sun", "moon"),
        ("heaven", "earth"), ("life", "death"), ("love", "hate"), ("first", "second"), ("one", "two"), ("three", "four"),
        ("thou", "thee"), ("thy", "thine"), ("sir", "madam"), ("duke", "duchess"), ("men", "women"), ("war", "peace"),
        ("friend", "foe"), ("young", "old"), ("hot", "cold"), ("black", "white"), ("fair", "foul"), ("ten", "twenty"),
        ("hundred", "thousand"), ("eyes", "ears"), ("edward", "henry"), ("romeo", "juliet"), ("warwick", "clarence"),
    ];

    [GeneratedRegex("[a-z']+")]
    private static partial Regex WordPattern();

    public static void Run(string path, int rounds)
    {
        // One sentence per non-empty line, lower-cased [a-z']+ words (baselines.md's tokenisation).
        var sentences = File.ReadLines(path)
            .Select(line => WordPattern().Matches(line.ToLowerInvariant()).Select(m => m.Value).ToArray())
            .Where(words => words.Length > 0).ToArray();
        // The torch trainer: one intra-op thread per worker, each worker's small tensor operations on its own core.
        TorchSharp.torch.set_num_threads(1);
        long words = sentences.Sum(s => (long)s.Length);
        Console.WriteLine($"corpus: {path} ({sentences.Length:N0} sentences, {words:N0} words); GenLab workers {Workers}, gensim workers {Workers}, {rounds} rounds");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuModel()}, SIMD {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512" : $"{System.Numerics.Vector<float>.Count * 32}")}-bit");

        string? python = FindGensimPython();
        string corpusFile = Path.Combine(Path.GetTempPath(), $"w2v-corpus-{Environment.ProcessId}.txt");
        string script = Path.Combine(Path.GetTempPath(), $"w2v-gensim-{Environment.ProcessId}.py");
        string gensimVectors = Path.Combine(Path.GetTempPath(), $"w2v-gensim-{Environment.ProcessId}.vec");
        if (python is null) Console.WriteLine("gensim not found: `apt-get install python3-gensim` to add its rows");
        else WriteGensimScript(sentences, corpusFile, script);
        try
        {
            foreach (var architecture in new[] { Word2VecArchitecture.SkipGram, Word2VecArchitecture.Cbow })
            {
                var config = new Word2VecConfig { Architecture = architecture, Workers = Workers };
                Console.WriteLine();
                Console.WriteLine($"## {architecture} (alpha {config.EffectiveAlpha} → {config.EffectiveMinAlpha}); load average before: {LoadAverage()}");
                // Skip-gram also times word2vec.c's own loop (fresh negatives per pair) beside the shared negatives.
                bool pairs = architecture == Word2VecArchitecture.SkipGram;
                Console.WriteLine("| round | GenLab s | GenLab words/s | gensim s | gensim words/s | GenLab/gensim |"
                    + (pairs ? " per-pair negatives s | per-pair/gensim |" : ""));
                Console.WriteLine("|---|---:|---:|---:|---:|---:|" + (pairs ? "---:|---:|" : ""));
                // Warm-up on a slice of the corpus: JIT costs stay out of the timing (gensim's script does the same).
                using (Word2VecModel.Train(sentences[..2000], config with { Epochs = 1 }, Seed)) { }
                Word2VecModel? ours = null, perPair = null;
                var ratios = new List<double>();
                var perPairRatios = new List<double>();
                for (int round = 1; round <= rounds; round++)
                {
                    ours?.Dispose();
                    var sw = Stopwatch.StartNew();
                    ours = Word2VecModel.Train(sentences, config, Seed);
                    double seconds = sw.Elapsed.TotalSeconds;
                    string theirs = "| – | – | – |";
                    double gs = double.NaN;
                    if (python is not null)
                    {
                        gs = RunGensim(python, script, config, Seed, round == rounds ? gensimVectors : null);
                        ratios.Add(gs / seconds);
                        theirs = $"| {gs:F2} | {words * config.Epochs / gs:N0} | {gs / seconds:F2}x |";
                    }
                    string pairColumns = "";
                    if (pairs)
                    {
                        perPair?.Dispose();
                        sw.Restart();
                        perPair = Word2VecModel.Train(sentences, config with { SharedNegatives = false }, Seed);
                        double pairSeconds = sw.Elapsed.TotalSeconds;
                        pairColumns = $" {pairSeconds:F2} | {(python is null ? "–" : $"{gs / pairSeconds:F2}x")} |";
                        if (python is not null) perPairRatios.Add(gs / pairSeconds);
                    }
                    Console.WriteLine($"| {round} | {seconds:F2} | {words * config.Epochs / seconds:N0} {theirs}{pairColumns}");
                }
                if (ratios.Count > 0) Console.WriteLine($"GenLab/gensim words/s: median {Stats.Median(ratios):F2}x, min {ratios.Min():F2}x, max {ratios.Max():F2}x"
                    + (perPairRatios.Count > 0 ? $"; per-pair negatives/gensim: median {Stats.Median(perPairRatios):F2}x" : ""));

                var torchSw = Stopwatch.StartNew();
                using var torchModel = Word2VecModel.Train(sentences, config with { Trainer = Word2VecTrainer.Torch }, Seed);
                double torchSeconds = torchSw.Elapsed.TotalSeconds;
                Console.WriteLine($"torch trainer (reference, {Workers} workers × 1 torch thread): {torchSeconds:F2} s, {words * config.Epochs / torchSeconds:N0} words/s; load average after: {LoadAverage()}");

                Console.WriteLine("nearest 5 by cosine:");
                Console.WriteLine($"  GenLab: {Neighbours(ours!)}");
                using var gensim = python is null ? null : Word2VecModel.LoadText(gensimVectors);
                // gensim again from another seed: how far two good runs differ.
                Word2VecModel SecondGensim()
                {
                    RunGensim(python!, script, config, Seed + 1, gensimVectors);
                    return Word2VecModel.LoadText(gensimVectors);
                }
                using var gensim2 = python is null ? null : SecondGensim();
                if (gensim is not null) Console.WriteLine($"  gensim: {Neighbours(gensim)}");
                Console.WriteLine($"related pairs ({Related.Length}, both ways), partner among the {TopK} nearest / median rank: "
                    + $"GenLab {RelatedScore(ours!)}" + (perPair is null ? "" : $", per-pair negatives {RelatedScore(perPair)}")
                    + $", torch {RelatedScore(torchModel)}" + (gensim is null ? "" : $", gensim {RelatedScore(gensim)}, gensim seed {Seed + 1} {RelatedScore(gensim2!)}"));
                if (gensim is not null)
                    Console.WriteLine($"shared {TopK} nearest neighbours of the {Frequent} most frequent words (mean of {TopK}): "
                        + $"GenLab–gensim {Overlap(ours!, gensim):F2}, gensim–gensim (seeds {Seed}, {Seed + 1}) {Overlap(gensim, gensim2!):F2}, "
                        + $"torch–gensim {Overlap(torchModel, gensim):F2}, GenLab–torch {Overlap(ours!, torchModel):F2}"
                        + (perPair is null ? "" : $", per-pair–gensim {Overlap(perPair, gensim):F2}"));
                ours!.Dispose();
                perPair?.Dispose();
            }
        }
        finally
        {
            foreach (var file in new[] { corpusFile, script, gensimVectors }) File.Delete(file);
        }
    }

    private static string Neighbours(Word2VecModel model) => string.Join("; ", Probes.Where(p => model.Vocabulary.IndexOf(p) >= 0)
        .Select(p => $"{p} → {string.Join(" ", model.Nearest(p, 5).Select(n => n.Word))}"));

    /// <returns>"share of directions whose partner is among the TopK nearest / median rank of the partner".</returns>
    private static string RelatedScore(Word2VecModel model)
    {
        var ranks = new List<double>();
        foreach (var (a, b) in Related)
            foreach (var (word, partner) in new[] { (a, b), (b, a) })
                if (model.Vocabulary.IndexOf(word) >= 0 && model.Vocabulary.IndexOf(partner) >= 0)
                    ranks.Add(1 + model.Nearest(word, model.Vocabulary.Size).Select(n => n.Word).ToList().IndexOf(partner));
        return $"{ranks.Count(r => r <= TopK) / (double)ranks.Count:P0} / {Stats.Median(ranks):F0}";
    }

    /// <summary>Mean number of the <see cref="TopK"/> nearest neighbours (cosine) that <paramref name="a"/> and
    /// <paramref name="b"/> agree on, over the <see cref="Frequent"/> most frequent words of <paramref name="a"/> that
    /// both know.</summary>
    private static double Overlap(Word2VecModel a, Word2VecModel b)
    {
        var shared = a.Vocabulary.Words.Where(w => b.Vocabulary.IndexOf(w) >= 0).Take(Frequent).ToList();
        return shared.Average(w => (double)a.Nearest(w, TopK).Select(n => n.Word).Intersect(b.Nearest(w, TopK).Select(n => n.Word)).Count());
    }

    private static string CpuModel()
    {
        var lines = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").ToList() : [];
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        return $"{Field("model name")} (family {Field("cpu family")})";
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

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

    /// <summary>Writes the sentences (one per line, space-separated) and a script that trains on them with the
    /// settings on its command line, prints the seconds and, given a path, saves the vectors in word2vec's text format.</summary>
    private static void WriteGensimScript(string[][] sentences, string corpus, string script)
    {
        File.WriteAllLines(corpus, sentences.Select(s => string.Join(' ', s)));
        File.WriteAllText(script, $$"""
            import sys, time
            from gensim.models import Word2Vec
            sentences = [line.split() for line in open({{Quote(corpus)}}, encoding="utf-8")]
            sg, alpha, min_alpha, seed, workers, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
            settings = dict(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, workers=workers, sg=sg, alpha=alpha, min_alpha=min_alpha, seed=seed)
            Word2Vec(sentences[:2000], epochs=1, **settings)
            t = time.perf_counter()
            m = Word2Vec(sentences, epochs=5, **settings)
            print(time.perf_counter() - t)
            if out != "-":
                m.wv.save_word2vec_format(out)
            """);
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <returns>gensim's training seconds (vocabulary included, as ours).</returns>
    private static double RunGensim(string python3, string script, Word2VecConfig config, int seed, string? vectors)
    {
        string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(python3, [script, config.Architecture == Word2VecArchitecture.SkipGram ? "1" : "0",
            F(config.EffectiveAlpha), F(config.EffectiveMinAlpha), $"{seed}", $"{Workers}", vectors ?? "-"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var python = Process.Start(start)!;
        string output = python.StandardOutput.ReadToEnd();
        string errors = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0) throw new InvalidOperationException($"gensim failed: {errors}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
