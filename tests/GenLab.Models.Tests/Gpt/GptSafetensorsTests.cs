using GenLab.Models.Gpt;
using GenLab.Models.Tests.Autoencoders;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Gpt;

[Collection(nameof(GlobalTorchRngCollection))]
public sealed class GptSafetensorsTests : IDisposable
{
    private static readonly GptConfig Tiny = new() { VocabSize = 13, BlockSize = 6, Layers = 2, Heads = 2, EmbeddingDim = 8 };
    private readonly string dir = Directory.CreateTempSubdirectory("gpt-st-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static GptModel NewModel(GptConfig config)
    {
        manual_seed(4);
        return new GptModel(config);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void ExportImport_RoundTrip_GivesIdenticalLogits(bool bias, bool tie)
    {
        var config = Tiny with { Bias = bias, TieWeights = tie };
        using var model = NewModel(config);
        string path = Path.Combine(dir, "model.safetensors");
        GptSafetensors.Export(model, path);
        using var loaded = GptSafetensors.Import(path, heads: 2);
        Assert.Equal(config, loaded.Config);
        using var scope = NewDisposeScope();
        var idx = tensor(new long[] { 1, 5, 9, 12, 0, 3 }, [1, 6]);
        Assert.True(model.call(idx).eq(loaded.call(idx)).all().item<bool>());
    }

    [Fact]
    public void Export_UsesHuggingFaceNames_AndStoresConv1DWeightsTransposed()
    {
        using var model = NewModel(Tiny);
        string path = Path.Combine(dir, "model.safetensors");
        GptSafetensors.Export(model, path);
        var file = Safetensors.Read(path);
        Assert.Contains("wte.weight", file.Keys);
        Assert.Contains("wpe.weight", file.Keys);
        Assert.Contains("h.1.ln_1.weight", file.Keys);
        Assert.Contains("ln_f.bias", file.Keys);
        Assert.DoesNotContain("lm_head.weight", file.Keys);
        Assert.DoesNotContain(file.Keys, k => k.StartsWith("transformer.", StringComparison.Ordinal));
        Assert.Equal([8L, 24L], file["h.0.attn.c_attn.weight"].Shape);       // Conv1D (in, out)
        Assert.Equal([8L, 32L], file["h.0.mlp.c_fc.weight"].Shape);
        Assert.Equal([32L, 8L], file["h.0.mlp.c_proj.weight"].Shape);
        using var stored = file["h.0.attn.c_attn.weight"].ToTensor();
        Assert.True(stored.eq(model.get_parameter("transformer.h.0.attn.c_attn.weight")!.t()).all().item<bool>());
    }

    [Fact]
    public void Import_WrongShape_NamesTheKey()
    {
        using var model = NewModel(Tiny);
        string path = Path.Combine(dir, "bad.safetensors");
        var tensors = ReadAllAsF32(model);
        int i = tensors.FindIndex(t => t.Name == "h.1.mlp.c_fc.weight");
        tensors[i] = (tensors[i].Name, [8, 31], new float[8 * 31]);
        Safetensors.Write(path, tensors);
        var error = Assert.Throws<InvalidDataException>(() => GptSafetensors.Import(path, heads: 2));
        Assert.Contains("h.1.mlp.c_fc.weight", error.Message);
    }

    [Fact]
    public void Import_MissingKey_NamesTheKey_AndMaskBuffersAreIgnored()
    {
        using var model = NewModel(Tiny);
        string path = Path.Combine(dir, "missing.safetensors");
        var tensors = ReadAllAsF32(model);
        tensors.Add(("h.0.attn.bias", [1, 1, 6, 6], new float[36]));         // GPT-2's causal-mask buffer
        Safetensors.Write(path, tensors);
        using (GptSafetensors.Import(path, heads: 2)) { }
        tensors.RemoveAll(t => t.Name == "h.0.ln_2.bias");
        Safetensors.Write(path, tensors);
        var error = Assert.Throws<InvalidDataException>(() => GptSafetensors.Import(path, heads: 2));
        Assert.Contains("h.0.ln_2.bias", error.Message);
    }

    [Fact]
    public void Import_WithoutHeads_IsRequiredUnlessWidth768()
    {
        using var model = NewModel(Tiny);
        string path = Path.Combine(dir, "model.safetensors");
        GptSafetensors.Export(model, path);
        var error = Assert.Throws<ArgumentException>(() => GptSafetensors.Import(path));
        Assert.Contains("heads", error.Message);
    }

    private List<(string Name, long[] Shape, float[] Data)> ReadAllAsF32(GptModel model)
    {
        string path = Path.Combine(dir, "source.safetensors");
        GptSafetensors.Export(model, path);
        return Safetensors.Read(path).Select(kv =>
        {
            using var t = kv.Value.ToTensor();
            return (kv.Key, kv.Value.Shape, t.data<float>().ToArray());
        }).ToList();
    }
}
