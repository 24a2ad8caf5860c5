using GenLab.Models.Data;
using GenLab.Models.Mlp;
using GenLab.Models.Text;
using GenLab.Runner.Config;
using GenLab.Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: mlp_char</c> — the Bengio-style MLP character model trained on one word or line per sample.</summary>
public sealed class MlpCharExperiment : ITrainableExperiment
{
    public const string VocabularyFile = "vocabulary.json";

    private readonly MlpCharModel _model;
    private readonly CharVocabulary _vocabulary;
    private readonly CharContextDataset _train;
    private readonly CharContextDataset _val;
    private readonly Device _device;
    private readonly long _seed;

    public MlpCharExperiment(ExperimentConfig config, Device device)
    {
        var data = config.DataAs<CharCorpusConfig>();
        var modelConfig = config.ModelAs<MlpCharConfig>();
        var lines = File.ReadAllLines(data.Path)
            .Select(l => data.Lowercase ? l.Trim().ToLowerInvariant() : l.Trim())
            .Where(l => l.Length > 0)
            .ToList();
        if (lines.Count < 2)
            throw new InvalidDataException($"{data.Path}: needs at least 2 non-empty lines (one for training, one for validation), has {lines.Count}");
        SplitMix64.ForPurpose(config.Seed, "split").Shuffle(lines);
        int valCount = Math.Clamp((int)Math.Round(lines.Count * data.ValFraction), 1, lines.Count - 1);

        _vocabulary = CharVocabulary.FromLines(lines);
        _train = new CharContextDataset(lines.Skip(valCount), _vocabulary, modelConfig.ContextLength);
        _val = new CharContextDataset(lines.Take(valCount), _vocabulary, modelConfig.ContextLength);
        _device = device;
        _seed = config.Seed;
        _model = new MlpCharModel(modelConfig, _vocabulary.Size);
        _model.to(device);
        TrainLines = lines.Count - valCount;
        ValLines = valCount;
    }

    public nn.Module Model => _model;
    public CharVocabulary Vocabulary => _vocabulary;
    public int TrainLines { get; }
    public int ValLines { get; }

    public long TokensPerBatch(int batchSize) => batchSize;

    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var (x, y) = _train.Sample(batches, batchSize);                  // (B, T), (B)
        var logits = _model.call(x.to(_device));                         // (B, V)
        return nn.functional.cross_entropy(logits, y.to(_device));      // ()
    }

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss(_train, batches, batchSize, "eval-train")),
        ("val", "loss", MeanLoss(_val, batches, batchSize, "eval-val")),
    ];

    private double MeanLoss(CharContextDataset data, int batches, int batchSize, string purpose)
    {
        var rng = SplitMix64.ForPurpose(_seed, purpose);                 // same batches at every evaluation
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = data.Sample(rng, batchSize);
            total += nn.functional.cross_entropy(_model.call(x.to(_device)), y.to(_device)).item<float>();
        }
        return total / batches;
    }

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed)
    {
        using var generator = new Generator((ulong)seed, _device);
        return _model.Sample(_vocabulary, count, maxLength, temperature, generator);
    }

    public void SaveArtifacts(string directory) => _vocabulary.Save(Path.Combine(directory, VocabularyFile));

    public void Dispose()
    {
        _model.Dispose();
        _train.Dispose();
        _val.Dispose();
    }
}
