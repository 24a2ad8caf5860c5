using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>SDEdit and inpainting end to end through the runner, reusing a tiny unconditional diffusion run trained
/// once for the class (16 px drawer items).</summary>
[Collection(TorchCollection.Name)]
public sealed class ImageEditingExperimentTests : IClassFixture<ImageEditingExperimentTests.TrainedDiffusion>
{
    public sealed class TrainedDiffusion : IDisposable
    {
        public const string Yaml = """
            name: tiny-ddpm
            kind: diffusion
            seed: 3
            device: cpu
            data: { source: drawer, size: 16, count_per_item: 6, max_rotation: 10, val_fraction: 0.1 }
            model:
              unet: { base_channels: 8, channel_mults: [1, 2], attention_levels: [1], heads: 2, groups: 4, time_embedding_dim: 16 }
              scheduler: { train_timesteps: 40 }
              ema: { decay: 0.9 }
              sample_steps: 4
              compare_steps: [2, 4]
              trajectory_frames: 3
              quality_samples: 0
              classifier: { channels: [8, 16], feature_dim: 8, epochs: 1, batch_size: 16 }
            training: { steps: 4, batch_size: 4, lr: 0.002, warmup_steps: 1, eval_every: 2, eval_batches: 1, log_every: 2, checkpoint_every: 2 }
            report: { samples: 0 }
            """;

        internal TempDir Dir { get; } = new();
        public string Results => Path.Combine(Dir.Root, "results");
        public string RunDir { get; }

        public TrainedDiffusion()
        {
            var (exit, run) = TinyExperiment.Run(ExperimentLoader.Load(Dir.Write("ddpm.yaml", Yaml), []), Results);
            Assert.Equal(ExitCodes.Ok, exit);
            RunDir = run;
        }

        public void Dispose() => Dir.Dispose();
    }

    private const string SdeditYaml = """
        name: tiny-sdedit
        kind: sdedit
        seed: 3
        device: cpu
        data: { images: 6 }
        model: { init_from: latest:tiny-ddpm, strengths: [0.5, 1.0], inputs: [sketch, noisy], steps: 4, grid_images: 3 }
        expect:
          sketch_distance_rise: { min: -1 }
        """;

    private const string InpaintingYaml = """
        name: tiny-inpainting
        kind: inpainting
        seed: 3
        device: cpu
        data: { images: 6 }
        model: { init_from: latest:tiny-ddpm, mask: box, mask_size: 0.5, steps: 6, jump_length: 2, resamples: 2, grid_images: 3 }
        """;

    private readonly TrainedDiffusion _trained;

    public ImageEditingExperimentTests(TrainedDiffusion trained) => _trained = trained;

    private (int Exit, string Run) Run(string name, string yaml, params string[] overrides) =>
        TinyExperiment.Run(ExperimentLoader.Load(_trained.Dir.Write(name, yaml), overrides), _trained.Results);

    [Fact]
    public void Sdedit_WritesAGridAndCurvePerInput_AndEveryResultItsCatalogNames()
    {
        var (exit, run) = Run("sdedit.yaml", SdeditYaml);

        Assert.Equal(ExitCodes.Ok, exit);
        string sections = Path.Combine(run, RunFiles.Sections);
        foreach (string png in new[] { "sdedit-sketch-grid.png", "sdedit-sketch-tradeoff.png", "sdedit-noisy-grid.png", "sdedit-noisy-tradeoff.png" })
            Assert.True(new FileInfo(Path.Combine(sections, png)).Length > 1000, $"{png} missing or empty");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, SdeditExperiment.ResultsFile)));
        Assert.Equal(4, json.RootElement.GetProperty("checkpoint_step").GetInt64());         // the run's newest checkpoint
        var sketch = json.RootElement.GetProperty("inputs")[0];
        Assert.Equal("sketch", sketch.GetProperty("input").GetString());
        Assert.Equal(3, sketch.GetProperty("points").GetArrayLength());                     // the input itself, then two strengths
        Assert.Equal(0, sketch.GetProperty("points")[0].GetProperty("input_distance").GetDouble());

        var loaded = ExperimentLoader.Load(Path.Combine(_trained.Dir.Root, "sdedit.yaml"), []);
        var catalog = GenLab.Runner.Expectations.ResultCatalog.Of(loaded.Config);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json")));
        string text = results.RootElement.ToString();
        foreach (string name in catalog.Keys) Assert.Contains($"\"{name}\"", text);
    }

    [Fact]
    public void Sdedit_SameSeed_GivesTheSameNumbers()
    {
        var (_, first) = Run("sdedit.yaml", SdeditYaml);
        var (_, second) = Run("sdedit.yaml", SdeditYaml);
        Assert.Equal(File.ReadAllText(Path.Combine(first, SdeditExperiment.ResultsFile)).Replace(first, ""),
            File.ReadAllText(Path.Combine(second, SdeditExperiment.ResultsFile)).Replace(second, ""));
    }

    [Fact]
    public void Inpainting_ScoresGreyPasteAndRePaint_AndWritesTheGrid()
    {
        var (exit, run) = Run("inpainting.yaml", InpaintingYaml);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.True(File.Exists(Path.Combine(run, RunFiles.Sections, "inpainting-grid.png")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, InpaintingExperiment.ResultsFile)));
        var fills = json.RootElement.GetProperty("fills");
        Assert.Equal(["no fill (grey)", "paste", "RePaint"], fills.EnumerateArray().Select(f => f.GetProperty("method").GetString()));
        Assert.Equal(6, fills[1].GetProperty("network_calls").GetInt32());
        Assert.True(fills[2].GetProperty("network_calls").GetInt32() > 6);
        foreach (var fill in fills.EnumerateArray())
            Assert.True(double.IsFinite(fill.GetProperty("psnr_in_mask").GetDouble()));
        string html = File.ReadAllText(Path.Combine(run, RunFiles.Sections, "10-inpainting.html"));
        Assert.Contains("RePaint", html);
    }

    [Fact]
    public void InitFromWithoutARun_IsBadInputNamingTheKey_AndLeavesNoRunFolder()
    {
        var log = new HookLogger();
        var loaded = ExperimentLoader.Load(_trained.Dir.Write("missing.yaml", InpaintingYaml.Replace("latest:tiny-ddpm", "latest:never-ran")
            .Replace("name: tiny-inpainting", "name: tiny-missing")), []);
        var session = TinyExperiment.NewSession(log);
        int exit = session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = _trained.Results }, CancellationToken.None);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(log.Messages, m => m.Message.Contains("init_from") && m.Message.Contains("never-ran"));
        Assert.False(Directory.Exists(Path.Combine(_trained.Results, "tiny-missing")), "a run folder was claimed for a run that cannot start");
    }

    [Fact]
    public void InitFromARunThatIsNotDiffusion_IsBadInputSayingWhatItIs()
    {
        var log = new HookLogger();
        TinyExperiment.Write(_trained.Dir);
        var (mlpExit, mlpRun) = TinyExperiment.Run(TinyExperiment.Load(_trained.Dir), _trained.Results);
        Assert.Equal(ExitCodes.Ok, mlpExit);
        var loaded = ExperimentLoader.Load(_trained.Dir.Write("wrong.yaml", SdeditYaml.Replace("latest:tiny-ddpm", mlpRun)
            .Replace("name: tiny-sdedit", "name: tiny-wrong")), []);
        int exit = TinyExperiment.NewSession(log).Execute(new RunRequest { Experiment = loaded, ResultsRoot = _trained.Results }, CancellationToken.None);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(log.Messages, m => m.Message.Contains("model.init_from") && m.Message.Contains("'mlp_char' run"));
        Assert.False(Directory.Exists(Path.Combine(_trained.Results, "tiny-wrong")));
    }

    [Fact]
    public void BadKnobs_AreConfigErrorsNamingTheKeys()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_trained.Dir.Write("bad.yaml", SdeditYaml), ["model.strengths=[0.7, 0.3]"]));
        Assert.Contains("model.strengths", error.Message);
        error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_trained.Dir.Write("bad2.yaml", InpaintingYaml), ["model.resamples=1"]));
        Assert.Contains("model.resamples", error.Message);
        error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_trained.Dir.Write("bad3.yaml", SdeditYaml), ["expect={ typo_rise: { min: 0 } }"]));
        Assert.Contains("expect.typo_rise", error.Message);
    }

    [Fact]
    public async Task SampleImage_EditsAUsersPng_BySdeditAndByInpainting_AtTheModelsSide()
    {
        // A 40×24 RGB picture: any size and aspect is resized to the model's 16×16.
        var pixels = new float[3 * 40 * 24];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = i % 7 / 6f;
        string picture = Path.Combine(_trained.Dir.Root, "mine.png");
        new GenLab.Models.Images.ImageData(40, 24, 3, pixels).SavePng(picture);

        foreach (var extra in new[] { new[] { "--strength", "0.5" }, ["--sketch"], ["--inpaint", "bottom", "--mask-size", "0.25", "--steps", "4"] })
        {
            string output = Path.Combine(_trained.Dir.Root, $"edited-{extra[0].Trim('-')}.png");
            var (exit, text) = await GenlabProcess.RunAsync(["sample", _trained.RunDir, "--image", picture, "--out", output, .. extra]);
            Assert.True(exit == ExitCodes.Ok, text);
            var edited = GenLab.Models.Images.ImageData.FromPng(output);
            Assert.Equal((16, 16, 3), (edited.Width, edited.Height, edited.Channels));
        }
    }

    [Fact]
    public async Task SampleImage_BadInput_IsExitTwoWithOneLine()
    {
        string notAnImage = _trained.Dir.Write("notes.png", "not a png");
        string output = Path.Combine(_trained.Dir.Root, "out.png");
        async Task Refused(string expected, params string[] args)
        {
            var (exit, text) = await GenlabProcess.RunAsync(["sample", .. args]);
            Assert.True(exit == ExitCodes.BadInput, text);
            Assert.Contains(expected, text);
            Assert.DoesNotContain("   at ", text);
        }
        await Refused("not a decodable image", _trained.RunDir, "--image", notAnImage, "--out", output);
        await Refused("file not found", _trained.RunDir, "--image", notAnImage + ".missing", "--out", output);
        await Refused("--image needs --out", _trained.RunDir, "--image", notAnImage);
        await Refused("--strength must be in (0, 1]", _trained.RunDir, "--image", notAnImage, "--out", output, "--strength", "1.5");
        await Refused("--out must name a .png file", _trained.RunDir, "--image", notAnImage, "--out", output + ".txt");
        Assert.False(File.Exists(output));
    }
}
