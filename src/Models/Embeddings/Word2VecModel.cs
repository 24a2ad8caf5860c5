using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GenLab.Models.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Embeddings;

/// <summary>One progress report: words read so far (before subsampling) out of all words of all epochs, the current
/// learning rate, the mean negative-sampling loss of the latest batch, and throughput.</summary>
public sealed record Word2VecProgress(long WordsProcessed, long TotalWords, double Alpha, double Loss, double WordsPerSecond);

/// <summary>word2vec with negative sampling (Mikolov et al. 2013, "Efficient Estimation of Word Representations in
/// Vector Space" and "Distributed Representations of Words and Phrases and their Compositionality"). Two trainers:
/// <see cref="Word2VecHogwild"/>, word2vec.c's algorithm over float arrays with SIMD on one thread per core (the
/// default), and the teaching one, which trains like word2vec.c but in batches: the examples of a batch are
/// gathered, scored and updated with one set of tensor operations and plain SGD whose gradients we write out
/// ourselves (no autograd, no optimizer).</summary>
public sealed class Word2VecModel : IDisposable
{
    public Word2VecVocabulary Vocabulary { get; }
    /// <summary>(V, Size) input embeddings, syn0 in word2vec.c: the vectors it saves and everyone uses.</summary>
    public Tensor Vectors { get; }
    public int Size => (int)Vectors.shape[1];

    private Word2VecModel(Word2VecVocabulary vocabulary, Tensor vectors)
    {
        Vocabulary = vocabulary;
        Vectors = vectors;
    }

    public void Dispose() => Vectors.Dispose();

    /// <summary>word2vec.c's subsampling (the formula in its code, not the paper's 1 − sqrt(t/f)): a word seen
    /// <paramref name="count"/> times among <paramref name="totalWords"/> is kept with probability
    /// (sqrt(f / (sample·total)) + 1) · (sample·total) / f, where f is its count; at or above 1 it is always kept.</summary>
    public static double KeepProbability(long count, long totalWords, double sample)
    {
        if (sample <= 0) return 1;
        double threshold = sample * totalWords;
        return (Math.Sqrt(count / threshold) + 1) * threshold / count;
    }

    /// <summary>The learning rate after <paramref name="wordsDone"/> of <paramref name="totalWords"/> words (all epochs,
    /// counted before subsampling): linear from <paramref name="alpha"/> to <paramref name="minAlpha"/>, then flat.
    /// word2vec.c decays alpha·(1 − done/total) and floors it at alpha·1e-4; gensim decays linearly to min_alpha.</summary>
    public static double LearningRate(double alpha, double minAlpha, long wordsDone, long totalWords) =>
        alpha - (alpha - minAlpha) * Math.Min(1.0, (double)wordsDone / totalWords);

    /// <summary>Trains on <paramref name="sentences"/> (already tokenised) with the config's trainer. Words below
    /// min_count are dropped before windows are formed, as in word2vec.c. Deterministic on one machine for a given
    /// <paramref name="seed"/> with one worker. Cancelling <paramref name="stop"/> ends training early and returns the
    /// vectors as they are. Progress reports come from worker 0's thread; their loss is the mean negative-sampling
    /// loss, −log σ(h·w⁺) − Σ log σ(−h·w⁻) per example ((context, centre) pair for skip-gram, centre for CBOW), over a
    /// sample of the examples since the previous report (hogwild: every 16th; torch: the latest batch).</summary>
    public static Word2VecModel Train(IReadOnlyList<string[]> sentences, Word2VecConfig config, long seed,
        Action<Word2VecProgress>? progress = null, CancellationToken stop = default)
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        var vocabulary = Word2VecVocabulary.Build(sentences, config.MinCount, out var corpus);
        if (config.Trainer == Word2VecTrainer.Torch) return TrainTorch(corpus, vocabulary, config, seed, progress, stop);
        var vectors = Word2VecHogwild.Train(corpus, vocabulary, config, seed, progress, stop);
        return new Word2VecModel(vocabulary, tensor(vectors, [vocabulary.Size, config.Size]));
    }

    /// <summary>The batched TorchSharp trainer (<see cref="BatchTrainer"/>).</summary>
    private static Word2VecModel TrainTorch(Word2VecCorpus corpus, Word2VecVocabulary vocabulary, Word2VecConfig config, long seed,
        Action<Word2VecProgress>? progress, CancellationToken stop)
    {
        int V = vocabulary.Size, D = config.Size, workers = config.EffectiveWorkers;
        var keep = new double[V];
        for (int i = 0; i < V; i++) keep[i] = KeepProbability(vocabulary.Counts[i], vocabulary.TotalCount, config.Sample);

        // 1. word2vec.c's initialisation: syn0 uniform in [−0.5/size, 0.5/size], syn1neg zero.
        var init0Rng = SplitMix64.ForPurpose(seed, "word2vec");
        var init = new float[V * D];
        for (int i = 0; i < init.Length; i++) init[i] = (float)(((init0Rng.NextUInt64() >> 11) * (1.0 / (1UL << 53)) - 0.5) / D);
        var syn0 = tensor(init, [V, D]);                                            // (V, D)
        using var syn1 = zeros(V, D);                                               // (V, D)

        var table = new NegativeSamplingTable(vocabulary.Counts);
        long totalWords = vocabulary.TotalCount * config.Epochs, wordsDone = 0, nextReport = 0;
        double alpha0 = config.EffectiveAlpha, minAlpha = config.EffectiveMinAlpha;
        var clock = Stopwatch.StartNew();
        var gate = new object();
        double lastLoss = double.NaN;

        // word2vec.c's threads: worker w trains on its own contiguous share of the sentences every epoch, all
        // workers updating the shared matrices without locks (Hogwild). One worker is deterministic; more are not.
        void Work(int worker)
        {
            var rng = worker == 0 ? init0Rng : SplitMix64.ForPurpose(seed, $"word2vec-worker-{worker}");
            using var trainer = new BatchTrainer(config, syn0, syn1, table, rng);
            int first = (int)((long)corpus.Sentences * worker / workers);
            int last = (int)((long)corpus.Sentences * (worker + 1) / workers);
            var sentence = new List<int>();
            double alpha = alpha0;
            int batches = 0;
            for (int epoch = 0; epoch < config.Epochs && !stop.IsCancellationRequested; epoch++)
                for (int s = first; s < last && !stop.IsCancellationRequested; s++)
                {
                    // 2. Subsampling of frequent words: drop each occurrence with probability 1 − keep.
                    var ids = corpus.Words.AsSpan(corpus.Starts[s], corpus.Starts[s + 1] - corpus.Starts[s]);
                    sentence.Clear();
                    foreach (int id in ids)
                        if (keep[id] >= 1 || keep[id] >= rng.NextUInt64() * (1.0 / ulong.MaxValue)) sentence.Add(id);
                    long done = Interlocked.Add(ref wordsDone, ids.Length);
                    alpha = LearningRate(alpha0, minAlpha, done, totalWords);
                    trainer.AddSentence(CollectionsMarshal.AsSpan(sentence), alpha, ref batches);
                    if (progress is not null && worker == 0 && done >= nextReport)
                        lock (gate)
                        {
                            nextReport = done + Math.Max(1, totalWords / 40);
                            progress(new(done, totalWords, alpha, trainer.LastLoss, done / clock.Elapsed.TotalSeconds));
                        }
                }
            trainer.Flush(alpha, ref batches);
            if (worker == 0) lastLoss = trainer.LastLoss;
        }

        if (workers == 1) Work(0);
        else
        {
            var threads = Enumerable.Range(0, workers).Select(w => new Thread(() => Work(w))).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
        }
        progress?.Invoke(new(wordsDone, totalWords, LearningRate(alpha0, minAlpha, wordsDone, totalWords), lastLoss,
            wordsDone / clock.Elapsed.TotalSeconds));
        return new Word2VecModel(vocabulary, syn0);
    }

    /// <summary>The <paramref name="k"/> words closest to <paramref name="word"/> by cosine similarity, best first.</summary>
    public IReadOnlyList<(string Word, double Similarity)> Nearest(string word, int k)
    {
        int index = Vocabulary.IndexOf(word);
        if (index < 0) throw new ArgumentException($"'{word}' is not in the vocabulary", nameof(word));
        using var scope = NewDisposeScope();
        var unit = nn.functional.normalize(Vectors, dim: 1);                      // (V, D)
        var similarity = unit.matmul(unit[index]);                                  // (V,)
        similarity[index] = tensor(float.NegativeInfinity);
        int n = Math.Min(k, Vocabulary.Size - 1);
        var (values, indices) = similarity.topk(n);                                 // (n,), (n,)
        var v = values.data<float>().ToArray();
        var ix = indices.data<long>().ToArray();
        return [.. Enumerable.Range(0, n).Select(i => (Vocabulary.Words[(int)ix[i]], (double)v[i]))];
    }

    /// <summary>word2vec.c's text format: a "V D" header, then one line per word: the word and D numbers.</summary>
    public void SaveText(string path)
    {
        var values = Vectors.contiguous().data<float>().ToArray();
        int D = Size;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write($"{Vocabulary.Size} {D}\n");
        var line = new StringBuilder();
        for (int i = 0; i < Vocabulary.Size; i++)
        {
            string word = Vocabulary.Words[i];
            if (word.Length == 0 || word.Any(char.IsWhiteSpace))
                throw new InvalidOperationException($"'{word}' cannot be saved in the text format (empty or has whitespace)");
            line.Clear().Append(word);
            for (int d = 0; d < D; d++) line.Append(' ').Append(values[i * D + d].ToString("R", CultureInfo.InvariantCulture));
            writer.Write(line.Append('\n'));
        }
    }

    public static Word2VecModel LoadText(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? header = reader.ReadLine();
        var sizes = header?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (sizes is not { Length: 2 } || !int.TryParse(sizes[0], CultureInfo.InvariantCulture, out int V)
            || !int.TryParse(sizes[1], CultureInfo.InvariantCulture, out int D) || V < 1 || D < 1)
            throw new InvalidDataException($"{path}:1: expected a header \"<words> <dimensions>\", found \"{header}\"");
        var words = new string[V];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new float[(long)V * D];
        for (int i = 0; i < V; i++)
        {
            int lineNumber = i + 2;
            string line = reader.ReadLine()
                ?? throw new InvalidDataException($"{path}:{lineNumber}: the header promises {V} words, the file ends after {i}");
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != D + 1)
                throw new InvalidDataException($"{path}:{lineNumber}: expected a word and {D} values, found {parts.Length - 1} values");
            if (!seen.Add(parts[0])) throw new InvalidDataException($"{path}:{lineNumber}: '{parts[0]}' appears twice");
            words[i] = parts[0];
            for (int d = 0; d < D; d++)
                if (!float.TryParse(parts[d + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out values[(long)i * D + d]))
                    throw new InvalidDataException($"{path}:{lineNumber}: value {d + 1} of '{parts[0]}', \"{parts[d + 1]}\", is not a number");
        }
        return new Word2VecModel(Word2VecVocabulary.FromWords(words), tensor(values, [V, D]));
    }
}
