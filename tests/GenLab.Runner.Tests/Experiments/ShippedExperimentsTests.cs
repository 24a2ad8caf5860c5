using System.Text.Json;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Experiments;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>The experiments the repository ships: all valid, and the quick ones run end to end and reproduce the
/// lecture's numbers.</summary>
[Collection(TorchCollection.Name)]
public sealed class ShippedExperimentsTests : IDisposable
{
    private readonly TempDir _results = new();

    public void Dispose() => _results.Dispose();

    public static TheoryData<string> ExperimentFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Repository.Experiments, "*.yaml", SearchOption.AllDirectories)
                     .Where(f => !Path.GetFileName(f).StartsWith('_')).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repository.Experiments, file));
        return data;
    }

    /// <summary>A shipped experiment as a test loads it. Data named by URL (tiny Shakespeare) is only located by
    /// loading, never read or fetched: every file loads in a fresh clone too.</summary>
    internal static LoadedExperiment LoadShipped(string relativePath, params string[] overrides) =>
        ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), overrides);

    [Theory]
    [MemberData(nameof(ExperimentFiles))]
    public void Load_EveryShippedExperiment_IsValid_AndSoIsItsCiVariant(string relativePath)
    {
        var loaded = LoadShipped(relativePath);
        Assert.False(string.IsNullOrWhiteSpace(loaded.Config.Name));
        if (loaded.HasCiVariant)
        {
            var ci = ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), [], ci: true);
            Assert.Equal(loaded.Config.Name, ci.Config.Name);
            // Every claim is still checked on less; a variant may state more (an early milestone's ε-MSE, say).
            Assert.Empty((loaded.Config.Expect?.Keys ?? []).Except(ci.Config.Expect?.Keys ?? []));
        }
    }

    /// <summary>The course's shared copy beside the checkout (as CI has it) is the file the experiment names, found
    /// with <c>--data-dir ../shared/data</c>; in a checkout without it, only the name, URL and hash are checked.</summary>
    [Fact]
    public void GptCharShakespeare_NamesKarpathysTinyShakespeare_WhichTheSharedCopyMatches()
    {
        string shared = Path.Combine(Repository.Root, "..", "shared", "data");
        var search = DataSearch.FromEnvironment([shared]);
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "03-transformer/gpt-char-shakespeare-cpu.yaml"), [], data: search);

        var named = Assert.Single(loaded.NamedData);
        Assert.Equal(new DataSource
        {
            File = "tinyshakespeare.txt",
            Url = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
            Sha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        }, named.Source);
        if (!File.Exists(Path.Combine(shared, "tinyshakespeare.txt"))) return;
        Assert.Equal(Path.GetFullPath(Path.Combine(shared, "tinyshakespeare.txt")), named.Path);
        DataFetcher.Verify(named, search);
        Assert.Equal(1_115_394, new FileInfo(named.Path).Length);
    }

    [Fact]
    public void Preguica_ReproducesTheLecturesNumbers()
    {
        var (exit, runDir) = Run("01-tokenization/preguica.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        var results = RunResults.Read(runDir)!;
        Assert.Equal(4, results.Expectations.Count);
        Assert.True(results.Passed);
        Assert.Equal(68, results.Values["characters"]);
        Assert.Equal(67, results.Values["tokens_char_lecture"]);
        Assert.Equal(11, results.Values["tokens_word"]);
        Assert.Equal(18, results.Values["tokens_cl100k"]);

        string html = File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "index.html"));
        Assert.Contains("✓ reproduced", html);
        Assert.DoesNotContain("✗ not reproduced", html);
        Assert.Contains("has no id for &#39;.&#39;", html);
        Assert.Contains("class=\"tokens\"", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void Tokenize_WhenAnExpectationFails_MarksTheRunFailedAndStillWritesTheReport()
    {
        var (exit, runDir) = Run("01-tokenization/preguica.yaml", "expect.tokens_word.value=12");
        Assert.Equal(ExitCodes.Failed, exit);
        var info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Contains("tokens_word = 11, expected = 12", info.Error);
        Assert.Contains("✗ not reproduced", File.ReadAllText(Path.Combine(runDir, RunFiles.Report, "index.html")));
    }

    [Fact]
    public void ImagePatches_CountsTokensPerPatchSize()
    {
        var (exit, runDir) = Run("01-tokenization/image-patches.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, ImagePatchesExperiment.ResultsFile)));
        var tokens = results.RootElement.GetProperty("patches").EnumerateArray()
            .Select(p => (p.GetProperty("patch_size").GetInt32(), p.GetProperty("tokens").GetInt32())).ToList();
        Assert.Equal([(4, 256), (8, 64), (16, 16), (32, 4)], tokens);
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "patches_8.png")));
    }

    [Fact]
    public void ImagePatches_WhenPatchDoesNotDivideTheImage_IsBadInputNamingTheKey()
    {
        var session = TinyExperiment.NewSession();
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "01-tokenization/image-patches.yaml"), ["model.patch_sizes=[5]", "expect=null"]);
        int exit = session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = _results.Root }, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, exit);
    }

    [Fact]
    public void BpeSweep_FewerTokensPerCharacterAsTheVocabularyGrows()
    {
        var (exit, runDir) = Run("01-tokenization/bpe-vocab-sweep.yaml", "model.vocab_sizes=[260, 400, 800]");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, BpeSweepExperiment.ResultsFile)));
        var ratios = results.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("tokens_per_character").GetDouble()).ToList();
        Assert.Equal(3, ratios.Count);
        Assert.True(ratios[0] > ratios[1] && ratios[1] > ratios[2], string.Join(", ", ratios));
        Assert.Equal(2, results.RootElement.GetProperty("references").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "bpe_sweep.png")));
    }

    [Fact]
    public void DrawerEncodings_OneHotIsFlat_FactoredPutsRelatedItemsCloser()
    {
        var (exit, runDir) = Run("02-embeddings/drawer-encodings.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, DrawerEncodingsExperiment.ResultsFile)));
        foreach (var row in results.RootElement.EnumerateArray())
        {
            double sameType = row.GetProperty("same_type").GetDouble(), unrelated = row.GetProperty("unrelated").GetDouble();
            if (row.GetProperty("encoding").GetString() == "one-hot") Assert.Equal(sameType, unrelated, 6);
            else Assert.True(sameType < unrelated, row.ToString());
        }
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "factored_cosine.png")));
    }

    [Fact]
    public void Word2VecDrawer_ColourAndTypeWordsNeighbourTheirOwnKind()
    {
        var (exit, runDir) = Run("02-embeddings/word2vec-drawer.yaml");
        Assert.Equal(ExitCodes.Ok, exit);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, Word2VecExperiment.ResultsFile)));
        Assert.True(results.RootElement.GetProperty("color_neighbour_share").GetDouble() >= 0.9);
        Assert.True(results.RootElement.GetProperty("type_neighbour_share").GetDouble() >= 0.9);
        Assert.True(File.Exists(Path.Combine(runDir, Word2VecExperiment.VectorsFile)));
        Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, "word2vec_pca.png")));
    }

    [Fact]
    public void Word2Vec_WhenTrainingDiverges_IsBadInputNamingTheKey()
    {
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "02-embeddings/word2vec-drawer.yaml"),
            ["model.word2vec.trainer=torch", "model.word2vec.batch_size=2048"]);
        var session = TinyExperiment.NewSession();
        Assert.Equal(ExitCodes.BadInput, session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = _results.Root }, CancellationToken.None));
        Assert.Contains("training diverged", RunInfo.Read(session.Recorder!.Folder.Path).Error);
    }

    [Fact]
    public void Autoencoder_TinyRun_WritesLatentSectionsAndCanResume()
    {
        string[] tiny =
        [
            "data.size=16", "data.count_per_item=6", "model.network.channels=[4, 8]", "expect=null",
            "training.steps=20", "training.batch_size=16", "training.eval_every=10", "training.eval_batches=1",
            "training.log_every=5", "training.checkpoint_every=10", "training.warmup_steps=0",
        ];
        var (exit, runDir) = Run("02-embeddings/autoencoder-drawer.yaml", tiny);
        Assert.Equal(ExitCodes.Ok, exit);
        foreach (string png in new[] { "latent_label.png", "latent_color.png", "reconstructions.png", "latent_grid.png" })
            Assert.True(File.Exists(Path.Combine(runDir, RunFiles.Report, png)), png);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, AutoencoderExperiment.ResultsFile)));
        Assert.InRange(results.RootElement.GetProperty("label_knn_accuracy").GetDouble(), 0, 1);
    }

    private (int Exit, string RunDir) Run(string relativePath, params string[] overrides)
    {
        var loaded = ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), overrides);
        return TinyExperiment.Run(loaded, _results.Root);
    }
}
