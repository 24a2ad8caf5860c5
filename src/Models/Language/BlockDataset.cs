using GenLab.Models.Data;
using static TorchSharp.torch;

namespace GenLab.Models.Language;

/// <summary>A token stream cut into a train and a validation part, sampled as random contiguous blocks — nanoGPT's
/// <c>get_batch</c>: X is <c>data[i : i+T]</c> and Y is <c>data[i+1 : i+1+T]</c>, so every position of a block is
/// one next-token example. The first <c>trainFraction</c> of the stream is train and the rest val, as nanoGPT
/// splits shakespeare_char (0.9), or the two streams come split already (<see cref="DocumentSplit"/>).</summary>
public sealed class BlockDataset : IDisposable
{
    public const string Train = "train";
    public const string Val = "val";

    private readonly Tensor _train;   // (N_train) int64
    private readonly Tensor _val;     // (N_val) int64

    public BlockDataset(IReadOnlyList<int> ids, double trainFraction = 0.9)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "train fraction must be in (0, 1)");
        int trainCount = TrainCount(ids.Count, trainFraction);
        _train = Int64(ids.Take(trainCount));
        _val = Int64(ids.Skip(trainCount));
    }

    /// <summary>Train and validation streams that were split before tokenizing (by document, say).</summary>
    public BlockDataset(IReadOnlyList<int> train, IReadOnlyList<int> val)
    {
        _train = Int64(train);
        _val = Int64(val);
    }

    /// <summary>How many of <paramref name="count"/> tokens the fraction constructor puts in the train part.</summary>
    public static int TrainCount(int count, double trainFraction) => (int)(count * trainFraction);

    private static Tensor Int64(IEnumerable<int> ids) => tensor(ids.Select(id => (long)id).ToArray(), ScalarType.Int64);

    public long TrainTokens => _train.shape[0];
    public long ValTokens => _val.shape[0];

    /// <summary>A batch of <paramref name="batchSize"/> blocks of <paramref name="blockSize"/> tokens from
    /// <paramref name="split"/> (<c>train</c> or <c>val</c>), start positions drawn uniformly from
    /// <paramref name="rng"/>: (X, Y) both (B, T) int64, Y = X shifted left by one. Caller owns the tensors.</summary>
    public (Tensor X, Tensor Y) Sample(string split, SplitMix64 rng, int batchSize, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Tensor data = Split(split);
        long n = data.shape[0];
        if (n < blockSize + 1)
            throw new ArgumentException($"{split} split has {n} tokens, needs at least block_size + 1 = {blockSize + 1}", nameof(split));

        var positions = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++)
        {
            long start = rng.NextInt64(n - blockSize);       // nanoGPT: torch.randint(len(data) - block_size)
            for (int t = 0; t < blockSize; t++) positions[b * blockSize + t] = start + t;
        }
        using var x = tensor(positions, [batchSize, blockSize], ScalarType.Int64);   // (B, T)
        using var y = x + 1;                                                           // (B, T)
        return (data.take(x), data.take(y));                                        // (B, T), (B, T)
    }

    private Tensor Split(string split) => split switch
    {
        Train => _train,
        Val => _val,
        _ => throw new ArgumentException($"unknown split '{split}' (expected '{Train}' or '{Val}')", nameof(split)),
    };

    public void Dispose()
    {
        _train.Dispose();
        _val.Dispose();
    }
}
