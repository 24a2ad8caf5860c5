using System.Globalization;
using System.Net;
using GenLab.Models.Data;
using GenLab.Models.Gpt;
using GenLab.Models.Images;
using GenLab.Models.Language;
using GenLab.Models.Tokenizers;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: gpt</c> pre-trains a decoder-only Transformer (nanoGPT's structure) by next-token prediction on a
/// text file; <c>kind: gpt_finetune</c> continues from a pre-trained checkpoint on Q&amp;A pairs, with the loss only on
/// the response tokens. Both run through the shared training loop (checkpoints, resume, reports).</summary>
public sealed class GptExperiment : ITrainableExperiment, IWritesReportSections
{
    private readonly ExperimentConfig _config;
    private readonly GptModel _model;
    private readonly ITokenizer _tokenizer;
    private readonly BlockDataset? _blocks;
    private readonly QaDataset? _qa;
    private readonly IReadOnlyList<QaExample> _compare = [];
    private readonly Checkpoint? _init;
    private readonly string? _safetensors;
    private readonly Device _device;
    private readonly string _attentionText = "";
    private readonly double _valOverlap;
    private readonly string _splitText = "";

    public GptExperiment(ExperimentConfig config, Device device, ExperimentContext context)
    {
        _config = config;
        _device = device;
        var model = config.ModelAs<GptExperimentConfig>();
        bool finetune = config.Kind == ExperimentKind.GptFinetune;
        _safetensors = model.InitFrom is { } file && file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? Path.GetFullPath(Path.Combine(context.WorkingDirectory, file)) : null;
        _init = model.InitFrom is { } reference && _safetensors is null
            ? InitFrom.Resolve(reference, context.ResultsRoot, context.WorkingDirectory) : null;
        if (finetune && _init is null && _safetensors is null)
            throw new InvalidDataException("model.init_from: fine-tuning needs a pre-trained model (a run folder, a checkpoint, latest:<name> or a GPT-2 .safetensors file)");
        // A resumed run takes architecture and tokenizer from its own checkpoint: the init run may be gone.
        var source = context.Resume ?? _init;
        var documents = !finetune && config.DataAs<GptTextDataConfig>() is { Split: TextSplit.Documents } textData
            ? SplitDocuments(textData) : null;

        GptConfig gpt;
        GptModel? imported = null;
        if (context.Resume is null && _safetensors is not null)
        {
            // Weights in Hugging Face GPT-2 layout (e.g. GPT-2 124M's model.safetensors) with GPT-2's tokenizer.
            var spec = finetune ? null : config.DataAs<GptTextDataConfig>().Tokenizer;
            _tokenizer = TokenizerBuilder.Build(spec ?? new TokenizerSpec { Type = TokenizerType.Gpt2 }, "");
            imported = ImportSafetensors(_safetensors, model);
            gpt = imported.Config;
            if (model.Network is { } stated) CheckMatches(stated, gpt, _safetensors);
            if (gpt.VocabSize != _tokenizer.VocabularySize)
                throw new InvalidDataException($"model.init_from: {_safetensors} has a vocabulary of {gpt.VocabSize}, but the tokenizer {_tokenizer.Name} has {_tokenizer.VocabularySize}");
        }
        else if (source is not null)
        {
            (gpt, _tokenizer) = GptCheckpoint.ReadArtifacts(source);
            if (model.Network is { } stated) CheckMatches(stated, gpt, source.Path);
            if (!finetune && config.DataAs<GptTextDataConfig>().Tokenizer is { } spec && TokenizeConfig.LabelOf(spec) != LabelOf(_tokenizer))
                throw new InvalidDataException($"data.tokenizer: {TokenizeConfig.LabelOf(spec)} here, but the checkpoint {source.Path} uses {_tokenizer.Name}");
            if (model.Dropout is { } dropout) gpt = gpt with { Dropout = dropout };
        }
        else
        {
            var data = config.DataAs<GptTextDataConfig>();
            // A tail split learns the vocabulary from the whole file, as nanoGPT's prepare.py does for characters; a
            // document split from the training documents alone, so nothing is learnt from validation text.
            _tokenizer = TokenizerBuilder.Build(data.Tokenizer ?? new TokenizerSpec { Type = TokenizerType.Char },
                documents?.TrainText ?? File.ReadAllText(data.Path));
            gpt = (model.Network ?? new GptConfig()) with { VocabSize = _tokenizer.VocabularySize };
        }

        if (finetune)
        {
            var data = config.DataAs<QaDataConfig>();
            _qa = new QaDataset(QaJsonl.Read(data.Train), QaJsonl.Read(data.Val), _tokenizer, gpt.BlockSize);
            _compare = [.. QaJsonl.Read(data.Test ?? data.Val).Take(data.CompareQuestions)];
        }
        else
        {
            var data = config.DataAs<GptTextDataConfig>();
            string cache = Environment.GetEnvironmentVariable("GENLAB_CACHE") ?? Path.Combine(Path.GetTempPath(), "genlab-cache", "tokens");
            int[] train, val;
            if (documents is null)
            {
                var stream = TokenStream.Load(data.Path, _tokenizer, cache);
                int cut = BlockDataset.TrainCount(stream.Ids.Length, 1 - data.ValFraction);
                (train, val) = (stream.Ids[..cut], stream.Ids[cut..]);
                _blocks = new BlockDataset(stream.Ids, 1 - data.ValFraction);
            }
            else
            {
                train = TokenStream.OfText(documents.TrainText, _tokenizer, cache).Ids;
                val = EncodeValidation(documents.ValText, cache);
                _blocks = new BlockDataset(train, val);
            }
            if (Math.Min(_blocks.TrainTokens, _blocks.ValTokens) < gpt.BlockSize + 1)
                throw new InvalidDataException($"data.path: {data.Path} gives {_blocks.TrainTokens} training and {_blocks.ValTokens} validation tokens; "
                    + $"each split needs at least block_size + 1 = {gpt.BlockSize + 1} (use more text, a smaller block_size or another val_fraction)");
            _attentionText = _tokenizer.Decode([.. val.Take(Math.Min(24, gpt.BlockSize))]);
            // Measured on the decoded streams: the text the model is trained and validated on.
            _valOverlap = DocumentSplit.LineOverlap(_tokenizer.Decode(train), _tokenizer.Decode(val));
            _splitText = DescribeSplit(documents, data.ValFraction, train.Length, val.Length, _valOverlap);
            context.Log?.LogInformation("{Split}", _splitText);
        }

        _model = imported ?? new GptModel(gpt);
        if (_init is not null && context.Resume is null) _model.load(_init.File(GptCheckpoint.ModelFile));
        _model.to(device);
    }

    public nn.Module Model => _model;
    public GptConfig Network => _model.Config;

    public long TokensPerBatch(int batchSize) => (long)batchSize * _model.Config.BlockSize;

    public Tensor TrainingLoss(SplitMix64 batches, int batchSize)
    {
        var (x, y) = Batch("train", batches, batchSize);                          // (B, T), (B, T)
        return _model.Loss(_model.call(x), y);                                      // ()
    }

    private (Tensor X, Tensor Y) Batch(string split, SplitMix64 rng, int batchSize)
    {
        var (x, y) = _qa is not null ? _qa.Sample(split, rng, batchSize) : _blocks!.Sample(split, rng, batchSize, _model.Config.BlockSize);
        return (x.to(_device), y.to(_device));
    }

    public IReadOnlyList<(string Split, string Metric, double Value)> Evaluate(int batches, int batchSize) =>
    [
        ("train_eval", "loss", MeanLoss("train", batches, batchSize)),
        ("val", "loss", MeanLoss("val", batches, batchSize)),
    ];

    /// <summary>Mean loss over fixed batches (the same ones at every evaluation).</summary>
    public double MeanLoss(string split, int batches, int batchSize)
    {
        var rng = SplitMix64.ForPurpose(_config.Seed, "eval-" + split);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(split, rng, batchSize);
            total += _model.Loss(_model.call(x), y).item<float>();
        }
        return total / batches;
    }

    public IReadOnlyList<string> Sample(int count, int maxLength, double temperature, long seed)
    {
        using var generator = new Generator((ulong)seed, _device);
        if (_qa is not null)
            return [.. _compare.Take(count).Select(q => $"{q.Question} → {Answer(_model, _tokenizer, q, maxLength)}")];
        var texts = new List<string>(count);
        var start = _tokenizer.Encode("\n") is { Count: > 0 } newline ? newline : [0];
        for (int i = 0; i < count; i++)
            texts.Add(Continue(_model, _tokenizer, start, maxLength, temperature, null, null, generator));
        return texts;
    }

    /// <summary>The text a model generates after <paramref name="prompt"/> (the prompt itself not included).</summary>
    public static string Continue(GptModel model, ITokenizer tokenizer, IReadOnlyList<int> prompt, int maxTokens,
        double temperature, int? topK, double? topP, Generator generator, bool useCache = true)
    {
        using var scope = NewDisposeScope();
        var device = model.parameters().First().device;
        var ids = tensor(prompt.Select(t => (long)t).ToArray(), [1, prompt.Count], ScalarType.Int64).to(device);   // (1, T)
        var output = model.Generate(ids, maxTokens, temperature, topK, topP, generator, useCache);                  // (1, T+n)
        return tokenizer.Decode([.. output[0].cpu().data<long>().Skip(prompt.Count).Select(t => (int)t)]);
    }

    /// <summary>Greedy answer to a question in the prompt template, cut at the end marker.</summary>
    public static string Answer(GptModel model, ITokenizer tokenizer, QaExample question, int maxTokens)
    {
        using var generator = new Generator(0);
        var prompt = tokenizer.Encode(PromptTemplate.Prompt(question));
        string completion = Continue(model, tokenizer, [.. prompt.Skip(Math.Max(0, prompt.Count - model.Config.BlockSize))],
            maxTokens, 0, null, null, generator);
        // A model that has not fully learnt the end marker may stop on part of it ("##").
        return PromptTemplate.ResponseOf(completion).Trim().TrimEnd('#').TrimEnd();
    }

    /// <summary>The text's distinct documents, split into training and validation by a hash of each.</summary>
    private static DocumentSplit SplitDocuments(GptTextDataConfig data)
    {
        if (!File.Exists(data.Path)) throw new FileNotFoundException($"{data.Path}: text file not found", data.Path);
        string text = File.ReadAllText(data.Path);
        int distinct = DocumentSplit.Documents(text).Distinct(StringComparer.Ordinal).Count();
        if (distinct < 2)
            throw new InvalidDataException($"data.split: documents: {data.Path} has {distinct} distinct document(s); a document split needs "
                + "at least 2 (documents are separated by blank lines; use split: tail for one long text)");
        return DocumentSplit.Of(text, data.ValFraction);
    }

    /// <summary>Token ids of the validation documents; a vocabulary learnt from the training documents alone may lack
    /// one of their characters (char and word tokenizers).</summary>
    private int[] EncodeValidation(string valText, string cache)
    {
        try { return TokenStream.OfText(valText, _tokenizer, cache).Ids; }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"data.split: documents: the tokenizer learnt from the training documents cannot encode the validation documents ({e.Message}); use a bpe tokenizer or split: tail");
        }
    }

    private static string DescribeSplit(DocumentSplit? documents, double valFraction, int trainTokens, int valTokens, double overlap)
    {
        var c = CultureInfo.InvariantCulture;
        string split = documents is null
            ? string.Format(c, "Split: tail. The last {0:0.##%} of the token stream is validation ({1:N0} tokens; training {2:N0}).", valFraction, valTokens, trainTokens)
            : string.Format(c, "Split: documents. The text holds {0:N0} distinct documents (blank-line-separated; {1:N0} duplicates removed); "
                + "{2:N0} of them, picked by a hash of their text, are validation ({3:N0} tokens) and {4:N0} training ({5:N0} tokens).",
                documents.Train.Count + documents.Val.Count, documents.Duplicates, documents.Val.Count, valTokens, documents.Train.Count, trainTokens);
        return split + string.Format(c, " val_overlap = {0:F3}: the share of validation characters in lines that also occur in the training text.", overlap);
    }

    public void SaveArtifacts(string directory) => GptCheckpoint.SaveArtifacts(directory, _model.Config, _tokenizer);

    /// <summary>Pre-training: how much validation text training also has. Fine-tuning: the answer-token validation
    /// loss before (step 0: the base model) and after.</summary>
    public IReadOnlyDictionary<string, double> Results(string runDirectory)
    {
        var results = new Dictionary<string, double>();
        if (_qa is null) return new Dictionary<string, double> { ["val_overlap"] = _valOverlap };
        var val = MetricsCsv.Read(Path.Combine(runDirectory, RunFiles.Metrics)).Where(r => r.Split == "val" && r.Metric == "loss")
            .OrderBy(r => r.Step).ToList();
        if (val.Count == 0) return results;
        results["answer_loss"] = val[^1].Value;
        if (val[0].Step == 0)
        {
            results["base_answer_loss"] = val[0].Value;
            results["answer_loss_ratio"] = val[^1].Value / val[0].Value;
        }
        return results;
    }

    public void WriteSections(string runDirectory, long step)
    {
        if (_qa is not null) WriteComparison(runDirectory, step);
        else
        {
            new SectionBuilder().Heading("Training and validation text").Paragraph(_splitText).Write(runDirectory, 5, "split");
            WriteAttention(runDirectory, step);
        }
    }

    /// <summary>Attention of every layer and head on the start of the validation text: row i shows where token i looks.</summary>
    private void WriteAttention(string runDirectory, long step)
    {
        var ids = _tokenizer.Encode(_attentionText);
        if (ids.Count < 2) return;
        var pngs = new List<byte[]>();
        using (var scope = NewDisposeScope())
        {
            var idx = tensor(ids.Select(t => (long)t).ToArray(), [1, ids.Count], ScalarType.Int64).to(_device);
            for (int layer = 0; layer < _model.Config.Layers; layer++)
            {
                var weights = _model.AttentionWeights(idx, layer).cpu();                // (H, T, T)
                for (int head = 0; head < _model.Config.Heads; head++)
                {
                    // √ brightens small weights so the pattern shows; rows sum to 1 before it.
                    float[] pixels = [.. weights[head].sqrt().data<float>()];
                    pngs.Add(new ImageData(ids.Count, ids.Count, 1, pixels).ToPng());
                }
            }
        }
        byte[] grid = ImageGrid.Render(pngs, _model.Config.Heads, Math.Max(2, 160 / ids.Count));
        string tokens = string.Join(" · ", ids.Select(i => _tokenizer.Decode([i]).Replace("\n", "↵")));
        string legend = $"Rows: layers 0…{_model.Config.Layers - 1}; columns: heads 0…{_model.Config.Heads - 1}. In each square, row i is "
            + "where token i looks (brighter = more attention; √ of the weight); nothing above the diagonal: the model never looks ahead. Tokens: ";
        new SectionBuilder().Heading($"Attention (step {step})")
            .Raw($"<p>{WebUtility.HtmlEncode(legend)}<code>{WebUtility.HtmlEncode(tokens)}</code></p>\n", $"{legend}`{tokens.Replace("`", "ˋ")}`\n\n")
            .Figure("attention.png", grid)
            .Write(runDirectory, 10, "attention");
    }

    /// <summary>Base model against the fine-tuned one on held-out questions: response-only validation loss and answers.</summary>
    private void WriteComparison(string runDirectory, long step)
    {
        var data = _config.DataAs<QaDataConfig>();
        var rows = MetricsCsv.Read(Path.Combine(runDirectory, RunFiles.Metrics)).Where(r => r.Split == "val" && r.Metric == "loss").ToList();
        double? baseLoss = rows.FirstOrDefault(r => r.Step == 0)?.Value, nowLoss = rows.LastOrDefault()?.Value;
        var baseModel = _safetensors is not null ? ImportSafetensors(_safetensors, _config.ModelAs<GptExperimentConfig>()) : GptCheckpoint.Load(_init!).Model;
        using var baseScope = baseModel;
        baseModel.to(_device).eval();
        new SectionBuilder().Heading($"Base vs fine-tuned (step {step})")
            .Paragraph($"Validation loss on response tokens only: base {baseLoss:F3} → fine-tuned {nowLoss:F3}.")
            .Table(["question", "expected", "base model", "fine-tuned"], _compare.Select(q => (IReadOnlyList<TableCell>)
                [q.Question, q.Response, Answer(baseModel, _tokenizer, q, data.MaxAnswerTokens), Answer(_model, _tokenizer, q, data.MaxAnswerTokens)]))
            .Write(runDirectory, 10, "finetune");
    }

    private static GptModel ImportSafetensors(string path, GptExperimentConfig model)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"model.init_from: {path}: file not found");
        try { return GptSafetensors.Import(path, model.Network?.Heads, model.Dropout ?? 0.0); }
        catch (ArgumentException e) { throw new InvalidDataException($"model.network.heads: {e.Message}"); }
    }

    private static void CheckMatches(GptConfig stated, GptConfig checkpoint, string path)
    {
        var differences = new List<string>();
        void Compare(string key, object a, object b) { if (!Equals(a, b)) differences.Add($"{key} {a} here, {b} in the checkpoint"); }
        Compare("block_size", stated.BlockSize, checkpoint.BlockSize);
        Compare("layers", stated.Layers, checkpoint.Layers);
        Compare("heads", stated.Heads, checkpoint.Heads);
        Compare("embedding_dim", stated.EmbeddingDim, checkpoint.EmbeddingDim);
        Compare("bias", stated.Bias, checkpoint.Bias);
        Compare("tie_weights", stated.TieWeights, checkpoint.TieWeights);
        if (stated.VocabSize != 0) Compare("vocab_size", stated.VocabSize, checkpoint.VocabSize);
        if (differences.Count > 0)
            throw new InvalidDataException($"model.network does not match init_from {path}: {string.Join("; ", differences)} (leave model.network out to take the checkpoint's)");
    }

    private static string LabelOf(ITokenizer tokenizer) => tokenizer switch
    {
        CharTokenizer => "char",
        WordTokenizer => "word",
        BytePairTokenizer => "bpe",
        PretrainedTokenizer p when p.Encoding == "o200k_base" => "o200k",
        PretrainedTokenizer p when p.Encoding == "r50k_base" => "gpt2",
        PretrainedTokenizer => "cl100k",
        _ => tokenizer.Name,
    };

    public void Dispose()
    {
        _model.Dispose();
        _blocks?.Dispose();
        _qa?.Dispose();
    }
}
