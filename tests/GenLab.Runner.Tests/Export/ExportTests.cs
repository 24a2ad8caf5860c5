using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLab.Models.Autoencoders;
using GenLab.Models.Diffusion;
using GenLab.Models.Gpt;
using GenLab.Models.Mlp;
using GenLab.Models.Vae;
using GenLab.Runner.Commands;
using GenLab.Runner.Export;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenLab.Runner.Tests.Export;

/// <summary><c>genlab export</c> output loads in plain PyTorch (Debian's python3-torch) and gives GenLab's outputs on
/// the same inputs to 1e-5: each architecture is exported from a checkpoint folder, and
/// <c>tests/python/check_export.py</c> rebuilds it, loads the weights with strict keys and compares.</summary>
[Collection(TorchCollection.Name)]
public sealed class ExportTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "mlp_char", "gpt", "gpt_untied_no_bias", "autoencoder_conv", "autoencoder_mlp", "vae", "diffusion", "text_to_image" })
            foreach (string format in new[] { "safetensors", "pytorch" })
                data.Add(model, format);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Export_LoadsInPyTorch_AndReproducesGenLabsOutputs(string model, string format)
    {
        string python = PyTorch.Python();
        manual_seed(11);
        using var network = Build(model);
        Perturb(network);                                         // zero-initialised layers would hide a wrong mapping
        network.eval();
        var checkpoint = FakeCheckpoint(network);
        string outDir = Path.Combine(_dir.Root, "export");
        var files = ModelExporter.Export(checkpoint, format == "safetensors" ? ExportFormat.Safetensors : ExportFormat.Pytorch, outDir);
        Assert.Contains("config.json", files);

        var (inputs, outputs) = Case(network);
        string casePath = _dir.Write("case.json", new JsonObject { ["inputs"] = inputs, ["outputs"] = outputs }.ToJsonString());
        var (exit, output) = PyTorch.Run(python, Path.Combine(Repository.Root, "tests", "python", "check_export.py"), outDir, casePath);
        log.WriteLine(output);
        Assert.True(exit == 0, $"PyTorch did not reproduce GenLab's {model} ({format}):\n{output}");
        foreach (string name in outputs.Select(o => o.Key)) Assert.Contains($"  {name} ", output);
    }

    [Fact]
    public void ExportCommand_OfATinyRun_WritesWeightsConfigAndTokenizer_ThatPyTorchLoads()
    {
        string python = PyTorch.Python();
        TinyExperiment.Write(_dir);
        var (exit, runDir) = TinyExperiment.Run(TinyExperiment.Load(_dir), Path.Combine(_dir.Root, "results"));
        Assert.Equal(0, exit);
        string outDir = Path.Combine(_dir.Root, "exported");
        Assert.Equal(0, ExportCommand.Execute(runDir, ExportFormat.Safetensors, outDir, GenLab.Runner.Data.DataSearch.FromEnvironment()));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.json")))!;
        Assert.Equal("mlp_char", config["architecture"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")));
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "tokenizer.json")))!;
        Assert.Equal("<boundary>", tokenizer["added_tokens"]![0]!["content"]!.GetValue<string>());
        string casePath = _dir.Write("case.json", """{ "inputs": { "contexts": [[0, 1], [2, 3]] }, "outputs": {} }""");
        var (code, output) = PyTorch.Run(python, Path.Combine(Repository.Root, "tests", "python", "check_export.py"), outDir, casePath);
        Assert.True(code == 0, output);
    }

    private static nn.Module Build(string model) => model switch
    {
        "mlp_char" => new MlpCharModel(new MlpCharConfig { ContextLength = 3, EmbeddingDim = 4, HiddenSize = 8 }, 7),
        "gpt" => new GptModel(new GptConfig { VocabSize = 11, BlockSize = 8, Layers = 2, Heads = 2, EmbeddingDim = 8 }),
        "gpt_untied_no_bias" => new GptModel(new GptConfig { VocabSize = 11, BlockSize = 8, Layers = 2, Heads = 2, EmbeddingDim = 8, Bias = false, TieWeights = false }),
        "autoencoder_conv" => new Autoencoder(new AutoencoderConfig { Channels = [4, 8], LatentDim = 2 }, 1, 8),
        "autoencoder_mlp" => new Autoencoder(new AutoencoderConfig { Architecture = AutoencoderArchitecture.Mlp, HiddenSizes = [16], LatentDim = 3 }, 3, 8),
        "vae" => new Vae(new VaeConfig { Channels = [4, 8], LatentDim = 3 }, 3, 8),
        "diffusion" => new Denoiser(TinyUNet(condDim: 0), 1, 8, 0),
        "text_to_image" => new Denoiser(TinyUNet(condDim: 6), 3, 8, 5),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    private static UNetConfig TinyUNet(int condDim) => new()
    {
        BaseChannels = 8, ChannelMults = [1, 2], BlocksPerLevel = 1, AttentionLevels = [1], MidAttention = true, Heads = 2,
        Groups = 4, TimeEmbeddingDim = 16, CondDim = condDim,
    };

    private static void Perturb(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var p in model.parameters()) p.add_(randn_like(p) * 0.2);
    }

    /// <summary>A checkpoint folder as the trainer writes it: model.bin and model.json (and the EMA for diffusion).</summary>
    private Checkpoint FakeCheckpoint(nn.Module model)
    {
        string dir = Path.Combine(_dir.Root, "checkpoints", "step-000001");
        Directory.CreateDirectory(dir);
        model.save(Path.Combine(dir, "model.bin"));
        if (model is Denoiser) model.save(Path.Combine(dir, "ema.bin"));
        ModelManifest.Write(Path.Combine(dir, ModelManifest.FileName), model);
        return new Checkpoint(dir, 1, new TrainingState { Step = 1 });
    }

    /// <summary>Fixed inputs and GenLab's outputs on them, by the names check_export.py uses.</summary>
    private static (JsonObject Inputs, JsonObject Outputs) Case(nn.Module model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gen = new Generator(5);
        var inputs = new JsonObject();
        var outputs = new JsonObject();
        switch (model)
        {
            case MlpCharModel mlp:
                var contexts = tensor(new long[] { 0, 1, 2, 6, 5, 4 }, [2, 3]);
                inputs["contexts"] = Nested(contexts);
                outputs["logits"] = Nested(mlp.call(contexts));
                break;
            case GptModel gpt:
                var ids = tensor(new long[] { 1, 4, 9, 2, 0, 10 }, [1, 6]);
                inputs["ids"] = Nested(ids);
                outputs["logits"] = Nested(gpt.call(ids));
                break;
            case Autoencoder ae:
                var images = rand([2, ae.ImageChannels, ae.ImageSize, ae.ImageSize], generator: gen);
                inputs["images"] = Nested(images);
                outputs["reconstruction"] = Nested(ae.call(images));
                break;
            case Vae vae:
                var x = rand([2, vae.ImageChannels, vae.ImageSize, vae.ImageSize], generator: gen);
                var (mean, logVar) = vae.Encode(x);
                inputs["images"] = Nested(x);
                outputs["mean"] = Nested(mean);
                outputs["log_var"] = Nested(logVar);
                outputs["decoded"] = Nested(vae.Decode(mean));
                break;
            case Denoiser d:
                var xt = randn([2, d.UNet.ImageChannels, d.UNet.ImageSize, d.UNet.ImageSize], generator: gen);
                var t = tensor(new long[] { 3, 917 });
                inputs["x"] = Nested(xt);
                inputs["t"] = Nested(t);
                outputs["eps"] = Nested(d.call(xt, t, null));
                if (d.IsConditional)
                {
                    var tokens = tensor(new long[] { 1, 2, 0, 4, 3, 1 }, [2, 3]);
                    var mask = tensor(new float[] { 1, 1, 0, 1, 1, 1 }, [2, 3]);
                    var cond = d.EncodeCaptions(tokens, mask);
                    inputs["tokens"] = Nested(tokens);
                    inputs["mask"] = Nested(mask);
                    outputs["caption_embedding"] = Nested(cond);
                    outputs["eps_caption"] = Nested(d.call(xt, t, cond));
                }
                break;
        }
        return (inputs, outputs);
    }

    /// <summary>A tensor as nested JSON arrays (float32 values written exactly, as doubles).</summary>
    private static JsonNode Nested(Tensor t)
    {
        var cpu = t.cpu();
        if (cpu.dtype == ScalarType.Int64) return Build(cpu.data<long>().ToArray().Select(v => (JsonNode?)JsonValue.Create(v)).ToArray(), cpu.shape);
        return Build(cpu.to_type(ScalarType.Float32).data<float>().ToArray().Select(v => (JsonNode?)JsonValue.Create((double)v)).ToArray(), cpu.shape);

        static JsonNode Build(JsonNode?[] flat, long[] shape)
        {
            if (shape.Length == 1) return new JsonArray(flat);
            long inner = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            return new JsonArray([.. Enumerable.Range(0, (int)shape[0]).Select(i => (JsonNode?)Build(flat[(int)(i * inner)..(int)((i + 1) * inner)], shape[1..]))]);
        }
    }
}

/// <summary>The Python with PyTorch that the export checks run: <c>GENLAB_PYTHON</c>, else Debian's
/// <c>/usr/bin/python3</c>, else <c>python3</c> on the PATH — the first that imports torch. Without one the test fails
/// and says how to install it; it never passes silently.</summary>
internal static class PyTorch
{
    private static readonly Lazy<string?> Found = new(() =>
        new[] { Environment.GetEnvironmentVariable("GENLAB_PYTHON"), "/usr/bin/python3", "python3" }
            .Where(p => !string.IsNullOrEmpty(p))
            .FirstOrDefault(p => Run(p!, "-c", "import torch").Exit == 0));

    public static string Python() => Found.Value ?? throw new Xunit.Sdk.XunitException(
        "the export check needs Python with PyTorch and found none (tried GENLAB_PYTHON, /usr/bin/python3, python3): "
        + "install Debian's `apt-get install python3-torch` (build/debian-packages.sh does, as .ci/run calls it), "
        + "or point GENLAB_PYTHON at a python that imports torch");

    public static (int Exit, string Output) Run(string python, params string[] args)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["OMP_NUM_THREADS"] = "1";
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3))) { process.Kill(); return (-1, "timed out"); }
            return (process.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }
}
