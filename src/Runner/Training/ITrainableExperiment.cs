using GenLab.Models.Data;
using static TorchSharp.torch;

namespace GenLab.Runner.Training;

/// <summary>An experiment the shared <see cref="Trainer"/> can drive: it owns its model and data; the trainer owns
/// the optimizer, the schedule, the dispose scopes, checkpoints and metrics.</summary>
public interface ITrainableExperiment : IDisposable
{
    nn.Module Model { get; }

    /// <summary>Loss of one training batch drawn with <paramref name="batches"/>; a scalar owned by the caller's scope.</summary>
    Tensor TrainingLoss(SplitMix64 batches, int batchSize);

    /// <summary>Tokens (or examples) one training batch holds, for throughput metrics.</summary>
    long TokensPerBatch(int batchSize);

    /// <summary>Metrics over fixed evaluation batches: the same batches at every evaluation, so curves compare
    /// like with like and nothing depends on the training RNG. Must include ("val", "loss").</summary>
    IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize);

    /// <summary>Generated examples for the report, from a generator seeded by <paramref name="seed"/> alone.</summary>
    IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed);

    /// <summary>Whether the batch <see cref="TrainingLoss"/> draws with <paramref name="batches"/> holds a NaN or
    /// ±Infinity. Asked only after a step went non-finite, to tell bad data from a bad computation; batches of token
    /// ids cannot.</summary>
    bool BatchHasNonFinite(SplitMix64 batches, int batchSize) => false;

    /// <summary>The experiment's own named results (see <c>ResultCatalog</c>) once the last checkpoint's report
    /// sections are written; the training loop adds val_loss, best_val_loss and initial_val_loss.</summary>
    IReadOnlyDictionary<string, double> Results(string runDirectory) => new Dictionary<string, double>();

    /// <summary>Files besides weights that a checkpoint needs to be used on its own (a vocabulary, say).</summary>
    void SaveArtifacts(string directory);
}

/// <summary>A trainable experiment with pictures of its own for the report (reconstructions, a latent space): the
/// trainer calls it at every checkpoint, before the report is regenerated.</summary>
public interface IWritesReportSections
{
    void WriteSections(string runDirectory, long step);
}

/// <summary>A trainable experiment that keeps state of its own in step with the weights (an exponential moving
/// average of them, say): the trainer calls it after every optimizer step.</summary>
public interface IUpdatesAfterStep
{
    void AfterStep(long step);
}


