using System.Text.Json;
using GenLab.Models.Gpt;
using GenLab.Models.Tokenizers;
using GenLab.Runner.Training;

namespace GenLab.Runner.Experiments;

/// <summary>What a GPT checkpoint carries besides its weights, so it can be used on its own (<c>sample</c>,
/// <c>init_from</c>): the architecture (<c>gpt.json</c>) and the tokenizer (<c>tokenizer.txt</c>).</summary>
public static class GptCheckpoint
{
    public const string ConfigFile = "gpt.json";
    public const string TokenizerFile = "tokenizer.txt";
    public const string ModelFile = "model.bin";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void SaveArtifacts(string directory, GptConfig config, ITokenizer tokenizer)
    {
        File.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, Json));
        tokenizer.Save(Path.Combine(directory, TokenizerFile));
    }

    public static (GptConfig Config, ITokenizer Tokenizer) ReadArtifacts(Checkpoint checkpoint)
    {
        string configPath = checkpoint.File(ConfigFile);
        if (!File.Exists(configPath)) throw new InvalidDataException($"{checkpoint.Path}: not a GPT checkpoint (no {ConfigFile})");
        var config = JsonSerializer.Deserialize<GptConfig>(File.ReadAllText(configPath), Json)
            ?? throw new InvalidDataException($"{configPath}: empty");
        return (config, Models.Tokenizers.TokenizerFile.Load(checkpoint.File(TokenizerFile)));
    }

    /// <summary>The model of a checkpoint with its weights, in eval mode, and its tokenizer.</summary>
    public static (GptModel Model, ITokenizer Tokenizer) Load(Checkpoint checkpoint, double? dropout = null)
    {
        var (config, tokenizer) = ReadArtifacts(checkpoint);
        var model = new GptModel(dropout is { } d ? config with { Dropout = d } : config);
        model.load(checkpoint.File(ModelFile));
        return (model, tokenizer);
    }
}
