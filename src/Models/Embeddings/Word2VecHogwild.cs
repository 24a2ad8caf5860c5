using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLab.Models.Embeddings;

/// <summary>word2vec.c's trainer in C#: skip-gram or CBOW with negative sampling, one thread per worker over shared
/// contiguous <c>float[]</c> matrices updated without locks ("Hogwild", Recht et al. 2011), SIMD products and updates
/// (<see cref="Word2VecSimd"/>), word2vec.c's sigmoid table (<see cref="ExpTable"/>), its linear congruential
/// generator (one per thread), and negatives from the unigram^0.75 distribution (<see cref="NegativeSamplingTable"/>).
/// Skip-gram shares one draw of negatives among a centre's contexts by default (<see cref="Word2VecConfig.SharedNegatives"/>).
/// <para>With one worker a seed gives the same vectors bit for bit (on one machine: the SIMD width decides the
/// rounding); with several, the threads' updates interleave as the scheduler lets them and two runs differ.</para>
/// <para>Rows are padded to a multiple of 16 floats (100 → 112) so every SIMD loop runs whole vectors; the padding
/// stays 0 (its updates are g·0).</para></summary>
internal static class Word2VecHogwild
{
    /// <summary>Words each thread reads between updates of the shared word count and its learning rate
    /// (word2vec.c: 10,000; less here so that the tiny corpora of tests and the drawer still see a smooth decay).</summary>
    private const int SyncWords = 1000;
    /// <summary>word2vec.c's MAX_SENTENCE_LENGTH: longer sentences are trained in pieces of this many kept words.</summary>
    private const int MaxSentence = 1000;
    /// <summary>The loss is estimated on every 16th example (exp and log on each of its dot products).</summary>
    private const int LossEvery = 16;

    /// <summary>word2vec.c's generator: next_random = next_random · 25214903917 + 11 (mod 2^64). Its low bits have
    /// short periods (bit k repeats every 2^(k+1) draws), so draws here read bits 16–47, as its table lookup does
    /// (and the alias table's coin bits 48–63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Next(ref ulong random) => random = random * 25214903917UL + 11;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint High32(ulong random) => (uint)(random >> 16);

    /// <summary>Trains and returns syn0, (V, size) row-major. <paramref name="progress"/> is called from worker 0.</summary>
    public static float[] Train(Word2VecCorpus corpus, Word2VecVocabulary vocabulary, Word2VecConfig config, long seed,
        Action<Word2VecProgress>? progress, CancellationToken stop)
    {
        int V = vocabulary.Size, D = config.Size, stride = (D + 15) / 16 * 16;
        var shared = new Shared(config, vocabulary, stride, corpus);

        // syn0 uniform in [−1/size, 1/size) as gensim 4 draws it, syn1neg zero. word2vec.c's range is half as wide;
        // with it CBOW on tiny Shakespeare ranked the partners of 34 related word pairs (king–queen, …) worse than
        // gensim: among the 10 nearest 35 % of the time, median rank 95 (5 seeds), against 37 % and 47 with this
        // range (gensim: 39 % and 62); skip-gram went from 35 % / 91 to 36 % / 70 (gensim 37 % / 94).
        ulong init = Data.SplitMix64.ForPurpose(seed, "word2vec").NextUInt64();
        for (int i = 0; i < V; i++)
            for (int d = 0; d < D; d++)
                shared.Syn0[(long)i * stride + d] = (High32(Next(ref init)) / 2147483648f - 1f) / D;

        int workers = config.EffectiveWorkers;
        var clock = Stopwatch.StartNew();
        var trainers = Enumerable.Range(0, workers).Select(w => new Worker(shared, w, workers,
            Data.SplitMix64.ForPurpose(seed, $"word2vec-worker-{w}").NextUInt64(), w == 0 ? progress : null, clock, stop)).ToArray();
        if (workers == 1) trainers[0].Run();
        else
        {
            // A worker's exception (a progress callback's, say) is rethrown here, not left to end the process.
            var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            var threads = trainers.Select(t => new Thread(() =>
            {
                try { t.Run(); }
                catch (Exception e) { failures.Enqueue(e); }
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            if (failures.TryDequeue(out var failure)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        long done = Interlocked.Read(ref shared.WordsDone);
        progress?.Invoke(new(done, shared.TotalWords, shared.LearningRate(done), trainers[0].Loss, done / clock.Elapsed.TotalSeconds));

        var vectors = new float[(long)V * D];
        for (int i = 0; i < V; i++) shared.Syn0.AsSpan(i * stride, D).CopyTo(vectors.AsSpan(i * D, D));
        return vectors;
    }

    /// <summary>What all threads read or update: the matrices, tables, corpus and the shared word count.</summary>
    private sealed class Shared(Word2VecConfig config, Word2VecVocabulary vocabulary, int stride, Word2VecCorpus corpus)
    {
        public readonly Word2VecConfig Config = config;
        public readonly int Stride = stride;
        public readonly float[] Syn0 = new float[(long)vocabulary.Size * stride];    // (V, stride) input vectors
        public readonly float[] Syn1 = new float[(long)vocabulary.Size * stride];    // (V, stride) syn1neg, output vectors
        public readonly NegativeSamplingTable Table = new(vocabulary.Counts);
        public readonly float[] Keep = [.. vocabulary.Counts.Select(c => (float)Word2VecModel.KeepProbability(c, vocabulary.TotalCount, config.Sample))];
        public readonly Word2VecCorpus Corpus = corpus;
        public readonly long TotalWords = vocabulary.TotalCount * config.Epochs;
        public long WordsDone;

        public double LearningRate(long done) =>
            Word2VecModel.LearningRate(Config.EffectiveAlpha, Config.EffectiveMinAlpha, done, TotalWords);
    }

    private sealed class Worker(Shared shared, int index, int workers, ulong random, Action<Word2VecProgress>? progress,
        Stopwatch clock, CancellationToken stop)
    {
        private readonly float[] _neu1 = new float[shared.Stride], _neu1e = new float[shared.Stride];
        private readonly int[] _sentence = new int[MaxSentence];
        // One centre's context words (M ≤ 2·window) and targets (T ≤ 1 + negative: the centre word, then negatives);
        // for shared negatives also the gradients G and ΔH of all its pairs.
        private readonly int[] _contexts = new int[2 * shared.Config.Window], _targets = new int[1 + shared.Config.Negative];
        private readonly float[] _g = new float[2 * shared.Config.Window * (1 + shared.Config.Negative)];   // (M, T)
        private readonly float[] _gT = new float[2 * shared.Config.Window * (1 + shared.Config.Negative)];  // (T, M)
        private readonly float[] _delta = new float[2 * shared.Config.Window * shared.Stride];              // (M, stride)
        private ulong _random = random;
        private float _alpha;
        private int _untilMeasured = LossEvery;
        private double _lossSum;
        private long _lossExamples;
        private long _nextReport;

        /// <summary>The mean loss of the examples measured up to the latest report (NaN before any).</summary>
        public double Loss { get; private set; } = double.NaN;

        public void Run()
        {
            var corpus = shared.Corpus;
            int first = (int)((long)corpus.Sentences * index / workers), last = (int)((long)corpus.Sentences * (index + 1) / workers);
            _alpha = (float)shared.LearningRate(0);
            long unsynced = 0;
            bool subsample = shared.Config.Sample > 0;
            var keep = shared.Keep;
            for (int epoch = 0; epoch < shared.Config.Epochs && !stop.IsCancellationRequested; epoch++)
                for (int s = first; s < last && !stop.IsCancellationRequested; s++)
                {
                    // 1. Subsampling of frequent words (word2vec.c: a word is dropped when keep < a uniform draw).
                    int length = 0;
                    for (int p = corpus.Starts[s]; p < corpus.Starts[s + 1]; p++)
                    {
                        int word = corpus.Words[p];
                        if (subsample && keep[word] < High32(Next(ref _random)) * (1f / 4294967296f)) continue;
                        _sentence[length++] = word;
                        if (length == MaxSentence) { Train(length); length = 0; }
                    }
                    if (length > 0) Train(length);
                    // 2. Every SyncWords words: publish them, and take the learning rate from the shared count.
                    unsynced += corpus.Starts[s + 1] - corpus.Starts[s];
                    if (unsynced >= SyncWords) { Sync(unsynced); unsynced = 0; }
                }
            Sync(unsynced);
            if (_lossExamples > 0) Loss = _lossSum / _lossExamples;
        }

        private void Sync(long words)
        {
            long done = Interlocked.Add(ref shared.WordsDone, words);
            _alpha = (float)shared.LearningRate(done);
            if (progress is null || done < _nextReport) return;
            _nextReport = done + Math.Max(1, shared.TotalWords / 40);
            if (_lossExamples > 0) Loss = _lossSum / _lossExamples;
            _lossSum = 0;
            _lossExamples = 0;
            progress(new(done, shared.TotalWords, _alpha, Loss, done / clock.Elapsed.TotalSeconds));
        }

        private void Train(int length)
        {
            if (shared.Config.Architecture == Word2VecArchitecture.Cbow) Cbow(length);
            else if (shared.Config.SharedNegatives) SkipGramShared(length);
            else SkipGram(length);
        }

        /// <summary>word2vec.c's skip-gram: each context word's syn0 row h predicts the centre word against
        /// <c>negative</c> negatives drawn for this pair: g_t = (label_t − σ(h·w_t))·alpha; w_t += g_t·h; h += Σ_t g_t·w_t.
        /// As in <see cref="Cbow"/>, the pair's T products are all taken before any of its rows moves.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SkipGram(int length)
        {
            int window = shared.Config.Window, negative = shared.Config.Negative, stride = shared.Stride;
            float alpha = _alpha;
            ref float syn0 = ref MemoryMarshal.GetArrayDataReference(shared.Syn0);
            ref float syn1 = ref MemoryMarshal.GetArrayDataReference(shared.Syn1);
            ref float neu1e = ref MemoryMarshal.GetArrayDataReference(_neu1e);
            var table = shared.Table;
            ulong random = _random;                                                 // in a register, not the field
            Span<float> dots = stackalloc float[_targets.Length];
            Span<float> g = stackalloc float[_targets.Length];
            for (int i = 0; i < length; i++)
            {
                int word = _sentence[i];
                // word2vec.c's dynamic window: b = random % window (here bits 16–47 scaled to [0, window)), contexts
                // within window − b ∈ [1, window].
                int reduced = window - (int)((ulong)High32(Next(ref random)) * (uint)window >> 32);
                int from = Math.Max(0, i - reduced), to = Math.Min(length - 1, i + reduced);
                for (int c = from; c <= to; c++)
                {
                    if (c == i) continue;
                    ref float h = ref Unsafe.Add(ref syn0, (nint)_sentence[c] * stride);
                    int T = 1;
                    _targets[0] = word;
                    for (int d = 0; d < negative; d++)
                    {
                        int target = table.Sample(Next(ref random));
                        if (target != word) _targets[T++] = target;                 // word2vec.c skips it
                    }
                    var targets = _targets.AsSpan(0, T);
                    Word2VecSimd.Dots(ref h, ref syn1, targets, stride, dots, stride);
                    if (--_untilMeasured == 0)
                    {
                        for (int t = 0; t < T; t++) Measure(dots[t], t == 0);
                        EndMeasure();
                    }
                    g[0] = (1 - ExpTable.Sigmoid(dots[0])) * alpha;
                    for (int t = 1; t < T; t++) g[t] = -ExpTable.Sigmoid(dots[t]) * alpha;
                    Word2VecSimd.Combine(ref neu1e, false, ref syn1, targets, g[..T], stride, stride);     // neu1e
                    for (int t = 0; t < T; t++) Word2VecSimd.Axpy(g[t], ref h, ref Unsafe.Add(ref syn1, (nint)targets[t] * stride), stride);
                    Word2VecSimd.Add(ref neu1e, ref h, stride);
                }
            }
            _random = random;
        }

        /// <summary>Skip-gram with negatives shared by a centre's contexts (Ji et al. 2016, "Parallelizing Word2Vec in
        /// Shared and Distributed Memory"): the M context rows H (M, D) meet the centre word and its negatives W (T, D)
        /// in one small product F = H·Wᵀ (M, T); G = (labels − σ(F))·alpha; then H += G·W and W += Gᵀ·H, both from
        /// the rows as they were before this centre.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SkipGramShared(int length)
        {
            int window = shared.Config.Window, negative = shared.Config.Negative, stride = shared.Stride;
            float alpha = _alpha;
            ref float syn0 = ref MemoryMarshal.GetArrayDataReference(shared.Syn0);
            ref float syn1 = ref MemoryMarshal.GetArrayDataReference(shared.Syn1);
            ref float delta = ref MemoryMarshal.GetArrayDataReference(_delta);
            ref float g = ref MemoryMarshal.GetArrayDataReference(_g);
            ref float gT = ref MemoryMarshal.GetArrayDataReference(_gT);
            var table = shared.Table;
            ulong random = _random;
            Span<float> dots = stackalloc float[_targets.Length];
            for (int i = 0; i < length; i++)
            {
                int word = _sentence[i];
                int reduced = window - (int)((ulong)High32(Next(ref random)) * (uint)window >> 32);
                int from = Math.Max(0, i - reduced), to = Math.Min(length - 1, i + reduced);
                if (to == from) continue;
                int M = 0, T = 1;
                for (int c = from; c <= to; c++) if (c != i) _contexts[M++] = _sentence[c];
                _targets[0] = word;
                for (int d = 0; d < negative; d++)
                {
                    int target = table.Sample(Next(ref random));
                    if (target != word) _targets[T++] = target;                     // word2vec.c skips it
                }
                var targets = _targets.AsSpan(0, T);
                bool measure = --_untilMeasured == 0;
                // 1. F = H·Wᵀ and G = (labels − σ(F))·alpha, kept as (M, T) and (T, M).
                for (int m = 0; m < M; m++)
                {
                    Word2VecSimd.Dots(ref Unsafe.Add(ref syn0, (nint)_contexts[m] * stride), ref syn1, targets, stride, dots, stride);
                    if (measure)
                    {
                        for (int t = 0; t < T; t++) Measure(dots[t], t == 0);
                        _lossExamples++;
                    }
                    Unsafe.Add(ref g, m * T) = Unsafe.Add(ref gT, m) = (1 - ExpTable.Sigmoid(dots[0])) * alpha;
                    for (int t = 1; t < T; t++)
                        Unsafe.Add(ref g, m * T + t) = Unsafe.Add(ref gT, t * M + m) = -ExpTable.Sigmoid(dots[t]) * alpha;
                }
                if (measure) _untilMeasured = LossEvery;
                // 2. ΔH = G·W, from W before its update.
                for (int m = 0; m < M; m++)
                    Word2VecSimd.Combine(ref Unsafe.Add(ref delta, m * stride), false, ref syn1, targets, _g.AsSpan(m * T, T), stride, stride);
                // 3. W += Gᵀ·H, from H before its update; then H += ΔH.
                var contexts = _contexts.AsSpan(0, M);
                for (int t = 0; t < T; t++)
                    Word2VecSimd.Combine(ref Unsafe.Add(ref syn1, (nint)targets[t] * stride), true, ref syn0, contexts, _gT.AsSpan(t * M, M), stride, stride);
                for (int m = 0; m < M; m++)
                    Word2VecSimd.Add(ref Unsafe.Add(ref delta, m * stride), ref Unsafe.Add(ref syn0, (nint)_contexts[m] * stride), stride);
            }
            _random = random;
        }

        /// <summary>word2vec.c's CBOW: h = mean of the context rows predicts the centre word against <c>negative</c>
        /// sampled words; g_t = (label_t − σ(h·w_t))·alpha; w_t += g_t·h; every context row += Σ_t g_t·w_t (undivided).
        /// Unlike word2vec.c, all T products are taken before any w_t moves (they differ only when a negative repeats).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Cbow(int length)
        {
            int window = shared.Config.Window, negative = shared.Config.Negative, stride = shared.Stride;
            float alpha = _alpha;
            ref float syn0 = ref MemoryMarshal.GetArrayDataReference(shared.Syn0);
            ref float syn1 = ref MemoryMarshal.GetArrayDataReference(shared.Syn1);
            ref float neu1 = ref MemoryMarshal.GetArrayDataReference(_neu1);
            ref float neu1e = ref MemoryMarshal.GetArrayDataReference(_neu1e);
            var table = shared.Table;
            ulong random = _random;
            Span<float> dots = stackalloc float[_targets.Length];
            Span<float> g = stackalloc float[_targets.Length];
            Span<float> mean = stackalloc float[_contexts.Length];
            for (int i = 0; i < length; i++)
            {
                int word = _sentence[i];
                int reduced = window - (int)((ulong)High32(Next(ref random)) * (uint)window >> 32);
                int from = Math.Max(0, i - reduced), to = Math.Min(length - 1, i + reduced);
                if (to == from) continue;                                           // no context word
                int M = 0, T = 1;
                for (int c = from; c <= to; c++) if (c != i) _contexts[M++] = _sentence[c];
                _targets[0] = word;
                for (int d = 0; d < negative; d++)
                {
                    int target = table.Sample(Next(ref random));
                    if (target != word) _targets[T++] = target;                     // word2vec.c skips it
                }
                var contexts = _contexts.AsSpan(0, M);
                var targets = _targets.AsSpan(0, T);
                mean[..M].Fill(1f / M);
                Word2VecSimd.Combine(ref neu1, false, ref syn0, contexts, mean[..M], stride, stride);      // h, cbow_mean
                Word2VecSimd.Dots(ref neu1, ref syn1, targets, stride, dots, stride);
                if (--_untilMeasured == 0)
                {
                    for (int t = 0; t < T; t++) Measure(dots[t], t == 0);
                    EndMeasure();
                }
                g[0] = (1 - ExpTable.Sigmoid(dots[0])) * alpha;
                for (int t = 1; t < T; t++) g[t] = -ExpTable.Sigmoid(dots[t]) * alpha;
                Word2VecSimd.Combine(ref neu1e, false, ref syn1, targets, g[..T], stride, stride);         // Σ g_t·w_t
                for (int t = 0; t < T; t++) Word2VecSimd.Axpy(g[t], ref neu1, ref Unsafe.Add(ref syn1, (nint)targets[t] * stride), stride);
                for (int m = 0; m < M; m++) Word2VecSimd.Add(ref neu1e, ref Unsafe.Add(ref syn0, (nint)contexts[m] * stride), stride);
            }
            _random = random;
        }

        /// <summary>The negative-sampling loss of one example, −log σ(f⁺) − Σ log σ(−f⁻), from its dot products
        /// before the update (word2vec.c computes none; this is what the torch trainer reports too).</summary>
        private void Measure(float f, bool positive)
        {
            double x = positive ? f : -f;
            _lossSum += x >= 0 ? Math.Log(1 + Math.Exp(-x)) : -x + Math.Log(1 + Math.Exp(x));
        }

        private void EndMeasure()
        {
            _lossExamples++;
            _untilMeasured = LossEvery;
        }
    }
}
