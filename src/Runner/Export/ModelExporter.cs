using System.Text.Json.Nodes;
using GenLab.Models.Diffusion;
using GenLab.Models.Gpt;
using GenLab.Models.Text;
using GenLab.Models.Tokenizers;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Experiments;
using GenLab.Runner.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GenLab.Runner.Export;

/// <summary>The file a checkpoint's weights leave GenLab in.</summary>
public enum ExportFormat
{
    /// <summary>safetensors (<c>model.safetensors</c>): no code runs on load; PyTorch, JAX, Candle … read it.</summary>
    Safetensors,
    /// <summary>PyTorch's <c>torch.save</c> state_dict (<c>pytorch_model.bin</c>), for <c>torch.load</c>.</summary>
    Pytorch,
}

/// <summary>Writes a checkpoint as files PyTorch users can load: the weights (state_dict keys are GenLab's module
/// names, which the reference modules in <c>tests/python/genlab_reference.py</c> share; a GPT uses Hugging Face's GPT-2
/// keys and layout), <c>config.json</c> (the <see cref="ModelManifest"/>, the weight files and, for a GPT, GPT-2's own
/// config keys) and the tokenizer as <c>.tiktoken</c> and <c>tokenizer.json</c> where those formats can express it.
/// A diffusion checkpoint also gives its EMA weights, which GenLab samples with.</summary>
public static class ModelExporter
{
    private const string ModelFile = "model.bin";

    /// <returns>The files written, relative to <paramref name="outDirectory"/>.</returns>
    public static IReadOnlyList<string> Export(Checkpoint checkpoint, ExportFormat format, string outDirectory, DataSearch? data = null)
    {
        var manifest = File.Exists(checkpoint.File(ModelManifest.FileName))
            ? ModelManifest.Read(checkpoint.File(ModelManifest.FileName))
            : ManifestFromExperiment(checkpoint, data);
        Directory.CreateDirectory(outDirectory);
        var written = new List<string>();
        var weights = new JsonObject();

        using (var model = ModelManifest.Build(manifest))
        {
            model.load(checkpoint.File(ModelFile));
            weights["model"] = WriteWeights(model, format, outDirectory, "");
        }
        if (manifest["architecture"]?.GetValue<string>() == "diffusion_unet" && File.Exists(checkpoint.File(DiffusionExperiment.EmaFile)))
        {
            using var ema = ModelManifest.Build(manifest);
            ema.load(checkpoint.File(DiffusionExperiment.EmaFile));
            weights["ema"] = WriteWeights(ema, format, outDirectory, "ema_");
        }
        written.AddRange(weights.Select(w => w.Value!.GetValue<string>()));

        var config = (JsonObject)manifest.DeepClone();
        config["weights"] = weights;
        config["key_layout"] = manifest["architecture"]?.GetValue<string>() == "gpt" ? "huggingface-gpt2" : "genlab";
        config["genlab_checkpoint"] = new JsonObject { ["step"] = checkpoint.Step, ["path"] = checkpoint.Path };
        if (manifest["architecture"]?.GetValue<string>() == "gpt") AddGpt2Config(config, manifest);
        var tokenizers = WriteTokenizers(checkpoint, outDirectory, written);
        if (tokenizers.Count > 0) config["tokenizer_files"] = tokenizers;
        File.WriteAllText(Path.Combine(outDirectory, "config.json"), ModelManifest.ToText(config));
        written.Insert(0, "config.json");
        return written;
    }

    /// <summary>The weights of <paramref name="model"/>, float32, in <paramref name="format"/>.</summary>
    /// <returns>The file name.</returns>
    internal static string WriteWeights(nn.Module model, ExportFormat format, string outDirectory, string prefix)
    {
        string name = prefix + (format == ExportFormat.Safetensors ? "model.safetensors" : "pytorch_model.bin");
        string path = Path.Combine(outDirectory, name);
        using var scope = NewDisposeScope();
        if (model is GptModel gpt)
        {
            var stateDict = GptSafetensors.StateDict(gpt);
            if (format == ExportFormat.Safetensors) TorchSharp.PyBridge.Safetensors.SaveStateDict(path, stateDict);
            else PyTorchPickler.PickleStateDict(path, stateDict);
        }
        else if (format == ExportFormat.Safetensors) model.save_safetensors(path);
        else model.save_py(path);
        return name;
    }

    /// <summary>GPT-2's config keys (transformers' <c>GPT2Config</c>) beside GenLab's, so the weights load into
    /// <c>GPT2LMHeadModel</c>. GenLab's MLP uses the exact GELU, which GPT-2 calls <c>gelu</c>.</summary>
    private static void AddGpt2Config(JsonObject config, JsonObject manifest)
    {
        var gpt = manifest["config"]!;
        config["model_type"] = "gpt2";
        config["architectures"] = new JsonArray("GPT2LMHeadModel");
        config["vocab_size"] = gpt["vocab_size"]!.DeepClone();
        config["n_positions"] = gpt["block_size"]!.DeepClone();
        config["n_embd"] = gpt["embedding_dim"]!.DeepClone();
        config["n_layer"] = gpt["layers"]!.DeepClone();
        config["n_head"] = gpt["heads"]!.DeepClone();
        config["activation_function"] = "gelu";
        config["layer_norm_epsilon"] = 1e-5;
        config["tie_word_embeddings"] = gpt["tie_weights"]!.DeepClone();
    }

    /// <summary>The checkpoint's tokenizers in GenLab's own file and, where they fit, <c>.tiktoken</c> and
    /// <c>tokenizer.json</c>.</summary>
    private static JsonArray WriteTokenizers(Checkpoint checkpoint, string outDirectory, List<string> written)
    {
        var files = new JsonArray();
        void Add(string name)
        {
            written.Add(name);
            files.Add(name);
        }
        if (File.Exists(checkpoint.File(GptCheckpoint.TokenizerFile)))
        {
            var tokenizer = Models.Tokenizers.TokenizerFile.Load(checkpoint.File(GptCheckpoint.TokenizerFile));
            File.Copy(checkpoint.File(GptCheckpoint.TokenizerFile), Path.Combine(outDirectory, "tokenizer.genlab.txt"), overwrite: true);
            Add("tokenizer.genlab.txt");
            if (TokenizerExport.TryWriteTiktoken(tokenizer, Path.Combine(outDirectory, "tokenizer.tiktoken"))) Add("tokenizer.tiktoken");
            if (TokenizerExport.TryWriteHuggingFace(tokenizer, Path.Combine(outDirectory, "tokenizer.json"))) Add("tokenizer.json");
        }
        if (File.Exists(checkpoint.File(MlpCharExperiment.VocabularyFile)))
        {
            var vocabulary = CharVocabulary.Load(checkpoint.File(MlpCharExperiment.VocabularyFile));
            File.Copy(checkpoint.File(MlpCharExperiment.VocabularyFile), Path.Combine(outDirectory, "vocabulary.json"), overwrite: true);
            Add("vocabulary.json");
            TokenizerExport.WriteHuggingFaceCharacters(vocabulary.Symbols, "<boundary>", Path.Combine(outDirectory, "tokenizer.json"));
            Add("tokenizer.json");
        }
        if (File.Exists(checkpoint.File(DiffusionExperiment.CaptionTokenizerFile)))
        {
            var captions = Models.Tokenizers.TokenizerFile.Load(checkpoint.File(DiffusionExperiment.CaptionTokenizerFile));
            if (TokenizerExport.TryWriteHuggingFace(captions, Path.Combine(outDirectory, "captions_tokenizer.json"))) Add("captions_tokenizer.json");
        }
        return files;
    }

    /// <summary>A checkpoint written before checkpoints carried <c>model.json</c>: its experiment is built again from
    /// the run's experiment.yaml (with its data, as a resume would) to learn the network's sizes.</summary>
    private static JsonObject ManifestFromExperiment(Checkpoint checkpoint, DataSearch? data)
    {
        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(checkpoint.Path.TrimEnd('/')))!;
        var info = RunInfo.Read(runDirectory);
        var search = (data ?? DataSearch.FromEnvironment()).With(info.DataDirectories ?? []);
        var loaded = ExperimentLoader.Load(checkpoint.File(RunFiles.Experiment), [], info.WorkingDirectory, data: search);
        if (!ExperimentKinds.IsTrainable(loaded.Config.Kind))
            throw new InvalidDataException($"{checkpoint.Path}: a '{info.Kind}' run has no model to export");
        string resultsRoot = Path.GetDirectoryName(Path.GetDirectoryName(runDirectory))!;
        using var experiment = ExperimentFactory.Create(loaded.Config, CPU, new ExperimentContext(resultsRoot, info.WorkingDirectory));
        return ModelManifest.Describe(experiment.Model);
    }
}
