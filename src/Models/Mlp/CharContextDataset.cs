using GenLab.Models.Data;
using GenLab.Models.Text;
using static TorchSharp.torch;

namespace GenLab.Models.Mlp;

/// <summary>Every (context → next character) example of a set of lines, as in makemore part 2: each line is padded
/// with <see cref="CharVocabulary.Boundary"/> on the left, and ends with it, so the model learns where words end.</summary>
public sealed class CharContextDataset : IDisposable
{
    private readonly Tensor _contexts;   // (N, T) int64
    private readonly Tensor _targets;    // (N) int64

    public CharContextDataset(IEnumerable<string> lines, CharVocabulary vocabulary, int contextLength)
    {
        var contexts = new List<long>();
        var targets = new List<long>();
        foreach (string line in lines)
        {
            var window = new int[contextLength];                 // all boundary: the start of a line
            foreach (int id in vocabulary.Encode(line).Append(CharVocabulary.Boundary))
            {
                foreach (int c in window) contexts.Add(c);
                targets.Add(id);
                Array.Copy(window, 1, window, 0, contextLength - 1);
                window[^1] = id;
            }
        }
        Count = targets.Count;
        ContextLength = contextLength;
        _contexts = tensor(contexts.ToArray(), [Count, contextLength], ScalarType.Int64);
        _targets = tensor(targets.ToArray(), [Count], ScalarType.Int64);
    }

    public long Count { get; }
    public int ContextLength { get; }

    /// <summary>A batch of examples drawn uniformly with replacement. Caller owns the returned tensors.</summary>
    public (Tensor Contexts, Tensor Targets) Sample(SplitMix64 rng, int batchSize)
    {
        var rows = new long[batchSize];
        for (int i = 0; i < batchSize; i++) rows[i] = rng.NextInt64(Count);
        using var index = tensor(rows, ScalarType.Int64);
        return (_contexts.index_select(0, index), _targets.index_select(0, index));   // (B, T), (B)
    }

    public void Dispose()
    {
        _contexts.Dispose();
        _targets.Dispose();
    }
}
