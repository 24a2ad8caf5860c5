using GenLab.Models.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Embeddings;

/// <summary>Turns subsampled sentences into batches of training examples in plain arrays (no allocation per
/// example) and applies one SGD step per batch to syn0 (input vectors) and syn1neg (output vectors).
/// Each example is word2vec.c's inner loop: a hidden vector h scored against one positive target and
/// <c>negative</c> sampled targets; g = (label − σ(h·w))·alpha; syn1[w] += g·h; syn0 rows += Σ g·w.
/// Within a batch every gradient is computed from the weights at the batch's start and then summed into the
/// matrices with one index_add_ each (word2vec.c's threads update without locks, "Hogwild", which is as loose).</summary>
internal sealed class BatchTrainer : IDisposable
{
    private readonly Tensor _syn0, _syn1, _labels;
    private readonly NegativeSamplingTable _table;
    private readonly SplitMix64 _rng;
    private readonly int _window, _k, _batch;
    private readonly bool _cbow;
    // Skip-gram: one example per (context, centre) pair. CBOW: one per centre, contexts padded to 2·window slots.
    private readonly long[] _inputs;      // skip-gram (B,) context words; CBOW (B·2W,) context words, padded with 0
    private readonly float[] _weights;    // CBOW (B·2W,) 1/count for real slots, 0 for padding
    private readonly long[] _targets;     // (B·K,) centre word then negative samples
    private readonly long[] _contextWords, _contextOwners;   // CBOW (M,) the real context words and their example
    private int _m;                       // CBOW: real context words in the current batch
    private int _n;                       // examples in the current batch

    public double LastLoss { get; private set; } = double.NaN;

    public BatchTrainer(Word2VecConfig config, Tensor syn0, Tensor syn1, NegativeSamplingTable table, SplitMix64 rng)
    {
        _syn0 = syn0;
        _syn1 = syn1;
        _table = table;
        _rng = rng;
        _window = config.Window;
        _k = 1 + config.Negative;
        _batch = config.BatchSize;
        _cbow = config.Architecture == Word2VecArchitecture.Cbow;
        _inputs = new long[_cbow ? _batch * 2 * _window : _batch];
        _weights = _cbow ? new float[_batch * 2 * _window] : [];
        _contextWords = _cbow ? new long[_batch * 2 * _window] : [];
        _contextOwners = _cbow ? new long[_batch * 2 * _window] : [];
        _targets = new long[_batch * _k];
        var labels = new float[_k];
        labels[0] = 1;
        _labels = tensor(labels, [1, _k]);                                          // (1, K)
    }

    public void Dispose() => _labels.Dispose();

    public void AddSentence(ReadOnlySpan<int> sentence, double alpha, ref int batches)
    {
        for (int i = 0; i < sentence.Length; i++)
        {
            // word2vec.c: b = next_random % window; the window used is window − b ∈ [1, window].
            int reduced = _window - (int)_rng.NextInt64(_window);
            int from = Math.Max(0, i - reduced), to = Math.Min(sentence.Length - 1, i + reduced);
            if (to == from) continue;                                               // a one-word sentence
            if (_cbow)
            {
                int slot = _n * 2 * _window, count = to - from;
                float weight = 1f / count;                                          // cbow_mean: h is the mean
                for (int j = from; j <= to; j++)
                {
                    if (j == i) continue;
                    _inputs[slot] = sentence[j];
                    _weights[slot++] = weight;
                    _contextWords[_m] = sentence[j];
                    _contextOwners[_m++] = _n;
                }
                for (int end = _n * 2 * _window + 2 * _window; slot < end; slot++) { _inputs[slot] = 0; _weights[slot] = 0; }
                AddTargets(sentence[i]);
                if (++_n == _batch) Flush(alpha, ref batches);
            }
            else
                for (int j = from; j <= to; j++)
                {
                    if (j == i) continue;
                    // word2vec.c's orientation: the context word's syn0 row predicts the centre word.
                    _inputs[_n] = sentence[j];
                    AddTargets(sentence[i]);
                    if (++_n == _batch) Flush(alpha, ref batches);
                }
        }
    }

    private void AddTargets(int centre)
    {
        int t = _n * _k;
        _targets[t] = centre;
        // word2vec.c skips a negative that equals the positive word; we draw again instead, so every example
        // has exactly `negative` negatives and the batch stays rectangular.
        for (int d = 1; d < _k; d++)
        {
            int word;
            do word = _table.Sample(_rng); while (word == centre && _table.Probabilities[centre] < 1);
            _targets[t + d] = word;
        }
    }

    public void Flush(double alpha, ref int batches)
    {
        if (_n == 0) return;
        int B = _n, K = _k, D = (int)_syn0.shape[1], W2 = 2 * _window;
        bool measure = batches++ % 16 == 0;                                         // loss now and then: it costs
        // An explicit Scalar, disposed by us: the implicit double → Scalar conversion inside a call was seen to
        // hand index_add_ a garbage value ("toFloat" overflow) once batches got large.
        using var step = alpha.ToScalar();
        using (var scope = NewDisposeScope())
        {
            var targets = tensor(_targets.AsSpan(0, B * K).ToArray(), [B * K]);     // (B·K,)
            var w = _syn1.index_select(0, targets).view(B, K, D);                   // (B, K, D)
            Tensor h, inputs;
            if (_cbow)
            {
                inputs = tensor(_inputs.AsSpan(0, B * W2).ToArray(), [B * W2]);     // (B·2W,) padded contexts
                var weights = tensor(_weights.AsSpan(0, B * W2).ToArray(), [B, 1, W2]); // (B, 1, 2W)
                var ctx = _syn0.index_select(0, inputs).view(B, W2, D);             // (B, 2W, D)
                h = weights.bmm(ctx).squeeze(1);                                    // (B, D) mean of the context
            }
            else
            {
                inputs = tensor(_inputs.AsSpan(0, B).ToArray(), [B]);               // (B,)
                h = _syn0.index_select(0, inputs);                                  // (B, D)
            }
            var f = w.bmm(h.unsqueeze(2)).squeeze(2);                               // (B, K)
            var g = _labels - f.sigmoid();                                          // (B, K) alpha goes in index_add_
            var gh = g.unsqueeze(1).bmm(w).squeeze(1);                              // (B, D) word2vec.c's neu1e
            var gw = g.unsqueeze(2) * h.unsqueeze(1);                               // (B, K, D)
            _syn1.index_add_(0, targets, gw.view(B * K, D), step);
            if (_cbow)
            {
                // word2vec.c adds neu1e, undivided, to every context word of the example.
                var words = tensor(_contextWords.AsSpan(0, _m).ToArray(), [_m]);    // (M,)
                var owners = tensor(_contextOwners.AsSpan(0, _m).ToArray(), [_m]);  // (M,)
                _syn0.index_add_(0, words, gh.index_select(0, owners), step);       // (M, D) rows
            }
            else _syn0.index_add_(0, inputs, gh, step);
            if (measure)
            {
                // −log σ(f⁺) − Σ log σ(−f⁻), averaged over examples (before this batch's update).
                var signs = _labels * 2 - 1;                                        // (1, K)
                LastLoss = -nn.functional.logsigmoid(f * signs).sum(1).mean().item<float>();
            }
        }
        _n = 0;
        _m = 0;
    }
}
