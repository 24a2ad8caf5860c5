using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GenLab.Models.Autoencoders;
using GenLab.Models.Diffusion;
using GenLab.Models.Gpt;
using GenLab.Models.Mlp;
using GenLab.Models.Vae;
using static TorchSharp.torch;

namespace GenLab.Runner.Export;

/// <summary>Everything needed to build a checkpoint's network again without its data: the architecture, its config
/// record and the sizes the data decided (vocabulary, image channels and side). Written as <c>model.json</c> into every
/// checkpoint and, with the list of weight files, as the exported <c>config.json</c>.
/// <code>{ "format": 1, "architecture": "vae", "config": { "latent_dim": 2, … }, "image_channels": 3, "image_size": 32 }</code></summary>
public static class ModelManifest
{
    public const string FileName = "model.json";
    public const int Format = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The manifest of a GenLab network (<see cref="MlpCharModel"/>, <see cref="GptModel"/>,
    /// <see cref="Autoencoder"/>, <see cref="Vae"/>, <see cref="Denoiser"/>).</summary>
    public static JsonObject Describe(nn.Module model) => model switch
    {
        MlpCharModel m => Manifest("mlp_char", m.Config, new() { ["vocab_size"] = m.VocabularySize }),
        GptModel g => Manifest("gpt", g.Config with { Dropout = 0 }, []),
        Autoencoder a => Manifest("autoencoder", a.Config, new() { ["image_channels"] = a.ImageChannels, ["image_size"] = a.ImageSize }),
        Vae v => Manifest("vae", v.Config, new() { ["image_channels"] = v.ImageChannels, ["image_size"] = v.ImageSize }),
        Denoiser d => Manifest("diffusion_unet", d.UNet.Config with { Dropout = 0 }, new()
        {
            ["image_channels"] = d.UNet.ImageChannels, ["image_size"] = d.UNet.ImageSize, ["caption_vocab_size"] = d.CaptionVocabularySize,
        }),
        _ => throw new NotSupportedException($"no export for a {model.GetType().Name}"),
    };

    /// <summary>A new network of the manifest's architecture (untrained weights; load the checkpoint's into it).</summary>
    /// <exception cref="InvalidDataException">The manifest is of another format or names an unknown architecture.</exception>
    public static nn.Module Build(JsonObject manifest)
    {
        int format = manifest["format"]?.GetValue<int>() ?? 0;
        if (format != Format) throw new InvalidDataException($"{FileName}: format {format}, this GenLab reads format {Format}");
        var config = manifest["config"] ?? throw new InvalidDataException($"{FileName}: no config");
        int Int(string key) => manifest[key]?.GetValue<int>() ?? throw new InvalidDataException($"{FileName}: no {key}");
        T Config<T>() => config.Deserialize<T>(Json) ?? throw new InvalidDataException($"{FileName}: empty config");
        return manifest["architecture"]?.GetValue<string>() switch
        {
            "mlp_char" => new MlpCharModel(Config<MlpCharConfig>(), Int("vocab_size")),
            "gpt" => new GptModel(Config<GptConfig>()),
            "autoencoder" => new Autoencoder(Config<AutoencoderConfig>(), Int("image_channels"), Int("image_size")),
            "vae" => new Vae(Config<VaeConfig>(), Int("image_channels"), Int("image_size")),
            "diffusion_unet" => new Denoiser(Config<UNetConfig>(), Int("image_channels"), Int("image_size"), Int("caption_vocab_size")),
            var other => throw new InvalidDataException($"{FileName}: unknown architecture '{other}'"),
        };
    }

    /// <summary>Whether <see cref="Describe"/> knows <paramref name="model"/>'s architecture (a test's probe network
    /// has none).</summary>
    public static bool CanDescribe(nn.Module model) => model is MlpCharModel or GptModel or Autoencoder or Vae or Denoiser;

    public static void Write(string path, nn.Module model) => File.WriteAllText(path, Describe(model).ToJsonString(Json) + "\n");

    public static JsonObject Read(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");

    /// <summary>The manifest as JSON text, as written.</summary>
    public static string ToText(JsonObject manifest) => manifest.ToJsonString(Json) + "\n";

    private static JsonObject Manifest<T>(string architecture, T config, Dictionary<string, int> sizes)
    {
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["architecture"] = architecture,
            ["config"] = JsonSerializer.SerializeToNode(config, Json),
        };
        foreach (var (key, value) in sizes) manifest[key] = value;
        return manifest;
    }
}
