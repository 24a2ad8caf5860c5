using GenLab.Models.Data;
using GenLab.Models.Tokenizers;
using static TorchSharp.torch;

namespace GenLab.Models.Language;

/// <summary>Q&amp;A pairs for supervised fine-tuning. Each example becomes one row of <c>block_size + 1</c> tokens,
/// <c>tokens(prompt) ++ tokens(response + end marker)</c> (see <see cref="PromptTemplate"/>), and the row gives
/// X = row[:-1] and Y = row[1:] with every target that is a prompt token or padding set to <see cref="IgnoreIndex"/>,
/// so cross-entropy with <c>ignore_index = -100</c> trains only on the response and its end marker.
///
/// Prompt and completion are tokenized separately, so the prompt/response boundary is a token boundary for every
/// tokenizer (a BPE merge can never straddle it). Rows shorter than <c>block_size + 1</c> are padded on the right
/// with id 0 in X (any valid id: those targets are ignored, and causal attention keeps padding from affecting the
/// real positions before it). A row that is too long loses tokens from the left of its prompt — the system block
/// goes first and the question's end and <c>### Resposta:</c> header are kept; an example whose completion alone
/// does not fit after one prompt token (completion longer than block_size) is skipped and counted in
/// <see cref="Skipped"/>.</summary>
public sealed class QaDataset : IDisposable
{
    public const string Train = "train";
    public const string Val = "val";

    /// <summary>The target that cross-entropy ignores (PyTorch's default <c>ignore_index</c>).</summary>
    public const long IgnoreIndex = -100;

    private readonly Tensor _trainX, _trainY;   // (N_train, T) int64
    private readonly Tensor _valX, _valY;       // (N_val, T) int64

    public QaDataset(IReadOnlyList<QaExample> train, IReadOnlyList<QaExample> val, ITokenizer tokenizer, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        BlockSize = blockSize;
        int skipped = 0;
        (_trainX, _trainY, TrainCount) = Build(train, tokenizer, blockSize, ref skipped);
        (_valX, _valY, ValCount) = Build(val, tokenizer, blockSize, ref skipped);
        Skipped = skipped;
    }

    public int BlockSize { get; }
    public int TrainCount { get; }
    public int ValCount { get; }

    /// <summary>Examples left out because their completion is longer than block_size.</summary>
    public int Skipped { get; }

    /// <summary>The row of one example: (tokens, isTarget), both block_size + 1 long, or null when it does not fit.
    /// isTarget[i] is true where token i is a completion token (so it is predicted from position i - 1).</summary>
    internal static (long[] Tokens, bool[] IsTarget)? Row(QaExample example, ITokenizer tokenizer, int blockSize)
    {
        IReadOnlyList<int> prompt = tokenizer.Encode(PromptTemplate.Prompt(example));
        IReadOnlyList<int> completion = tokenizer.Encode(PromptTemplate.Completion(example));
        int length = blockSize + 1;
        if (completion.Count == 0 || prompt.Count == 0 || completion.Count > blockSize) return null;
        int promptKept = Math.Min(prompt.Count, length - completion.Count);   // ≥ 1
        var tokens = new long[length];
        var isTarget = new bool[length];
        int i = 0;
        for (int p = prompt.Count - promptKept; p < prompt.Count; p++) tokens[i++] = prompt[p];
        foreach (int id in completion) { isTarget[i] = true; tokens[i++] = id; }
        return (tokens, isTarget);
    }

    private static (Tensor X, Tensor Y, int Count) Build(IReadOnlyList<QaExample> examples, ITokenizer tokenizer,
        int blockSize, ref int skipped)
    {
        var x = new List<long>();
        var y = new List<long>();
        int count = 0;
        foreach (var example in examples)
        {
            if (Row(example, tokenizer, blockSize) is not var (tokens, isTarget)) { skipped++; continue; }
            for (int t = 0; t < blockSize; t++)
            {
                x.Add(tokens[t]);
                y.Add(isTarget[t + 1] ? tokens[t + 1] : IgnoreIndex);
            }
            count++;
        }
        return (tensor(x.ToArray(), [count, blockSize], ScalarType.Int64), tensor(y.ToArray(), [count, blockSize], ScalarType.Int64), count);
    }

    /// <summary>A batch of <paramref name="batchSize"/> examples of <paramref name="split"/> (<c>train</c> or
    /// <c>val</c>) drawn uniformly with replacement: (X, Y) both (B, T) int64, Y = -100 where not supervised.
    /// Caller owns the tensors.</summary>
    public (Tensor X, Tensor Y) Sample(string split, SplitMix64 rng, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (xs, ys) = split switch
        {
            Train => (_trainX, _trainY),
            Val => (_valX, _valY),
            _ => throw new ArgumentException($"unknown split '{split}' (expected '{Train}' or '{Val}')", nameof(split)),
        };
        long n = xs.shape[0];
        if (n == 0)
            throw new ArgumentException($"{split} split has no examples that fit block_size = {BlockSize} ({Skipped} skipped in all)", nameof(split));
        var rows = new long[batchSize];
        for (int i = 0; i < batchSize; i++) rows[i] = rng.NextInt64(n);
        using var index = tensor(rows, ScalarType.Int64);
        return (xs.index_select(0, index), ys.index_select(0, index));   // (B, T), (B, T)
    }

    public void Dispose()
    {
        _trainX.Dispose();
        _trainY.Dispose();
        _valX.Dispose();
        _valY.Dispose();
    }
}
