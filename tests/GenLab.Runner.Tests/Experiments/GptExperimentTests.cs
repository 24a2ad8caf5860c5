using GenLab.Models.Language;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Experiments;

/// <summary>Pre-training and fine-tuning a tiny GPT end to end through the runner.</summary>
[Collection(TorchCollection.Name)]
public sealed class GptExperimentTests : IDisposable
{
    private const string PretrainYaml = """
        name: tiny-gpt
        kind: gpt
        seed: 3
        device: cpu
        data:
          path: text.txt
          val_fraction: 0.2
          tokenizer: { type: char }
        model:
          network: { block_size: 16, layers: 1, heads: 2, embedding_dim: 16, bias: false }
        training:
          steps: 20
          batch_size: 4
          lr: 0.01
          min_lr: 0.001
          warmup_steps: 2
          eval_every: 10
          eval_batches: 2
          log_every: 5
          checkpoint_every: 10
        report:
          samples: 1
          sample_max_length: 20
        """;

    private const string FinetuneYaml = """
        name: tiny-qa
        kind: gpt_finetune
        seed: 3
        device: cpu
        data:
          train: qa.jsonl
          val: qa.jsonl
          compare_questions: 2
          max_answer_tokens: 10
        model:
          init_from: INIT
        training:
          steps: 10
          batch_size: 4
          lr: 0.005
          min_lr: 0.0005
          warmup_steps: 1
          eval_every: 5
          eval_batches: 2
          log_every: 5
          checkpoint_every: 5
        report:
          samples: 1
          sample_max_length: 10
        """;

    private readonly TempDir _dir = new();
    private readonly string _results;

    public GptExperimentTests()
    {
        _results = Path.Combine(_dir.Root, "results");
        var qa = new[]
        {
            new QaExample(null, "o que é um token?", "um pedaço de texto."),
            new QaExample(null, "quanto é dois mais dois?", "quatro."),
            new QaExample(null, "o que é atenção?", "olhar para tokens."),
        };
        // The pre-training text covers every character of the Q&A, so the char tokenizer can encode it.
        string text = string.Concat(Enumerable.Repeat(string.Concat(qa.Select(PromptTemplate.Format)) + "o modelo aprende a prever o próximo caractere. ", 12));
        _dir.Write("text.txt", text);
        QaJsonl.Write(Path.Combine(_dir.Root, "qa.jsonl"), qa);
    }

    public void Dispose() => _dir.Dispose();

    private (int Exit, string RunDir) Run(string yaml, params string[] overrides)
    {
        string path = _dir.Write("experiment.yaml", yaml);
        return TinyExperiment.Run(ExperimentLoader.Load(path, overrides), _results);
    }

    [Fact]
    public void Pretrain_ThenFinetune_WritesCheckpointsReportsAndSamples()
    {
        var (exit, pretrain) = Run(PretrainYaml);
        Assert.Equal(ExitCodes.Ok, exit);
        string checkpoint = Path.Combine(pretrain, RunFiles.Checkpoints, "step-000020");
        Assert.True(File.Exists(Path.Combine(checkpoint, GptCheckpoint.ConfigFile)));
        Assert.True(File.Exists(Path.Combine(checkpoint, GptCheckpoint.TokenizerFile)));
        Assert.True(File.Exists(Path.Combine(pretrain, RunFiles.Report, "attention.png")));

        var (finetuneExit, finetune) = Run(FinetuneYaml.Replace("INIT", "latest:tiny-gpt"));
        Assert.Equal(ExitCodes.Ok, finetuneExit);
        var rows = MetricsCsv.Read(Path.Combine(finetune, RunFiles.Metrics));
        Assert.Contains(rows, r => r.Step == 0 && r.Split == "val" && r.Metric == "loss");     // the base model's loss
        Assert.Contains("Base vs fine-tuned", File.ReadAllText(Path.Combine(finetune, RunFiles.Report, "index.html")));

        var options = new SampleCommand.Options("o modelo", null, 10, 0.8, null, null, 1, NoCache: false);
        Assert.Equal(ExitCodes.Ok, SampleCommand.Execute(pretrain, options));
        Assert.Equal(ExitCodes.BadInput, SampleCommand.Execute(pretrain, options with { Prompt = "xyz€" }));
        Assert.Equal(ExitCodes.Ok, SampleCommand.Execute(finetune, options with { Question = "o que é um token?" }));
    }

    [Fact]
    public void Finetune_WhenStatedNetworkDiffersFromTheCheckpoint_IsBadInputNamingTheKeys()
    {
        var (_, pretrain) = Run(PretrainYaml);
        var session = TinyExperiment.NewSession();
        string path = _dir.Write("experiment.yaml", FinetuneYaml.Replace("INIT", pretrain));
        var loaded = ExperimentLoader.Load(path, ["model.network={block_size: 16, layers: 3, heads: 2, embedding_dim: 16, bias: false}"]);
        int exit = session.Execute(new RunRequest { Experiment = loaded, ResultsRoot = _results }, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Null(session.Recorder);                                                 // refused before a run folder was made
    }

    [Fact]
    public void Finetune_WithoutInitFrom_AndPretrain_WithTooLittleText_AreBadInput()
    {
        string noInit = FinetuneYaml.Replace("  init_from: INIT\n", "  dropout: 0.1\n");
        Assert.Equal(ExitCodes.BadInput, Run(noInit).Exit);
        _dir.Write("text.txt", "curto demais");
        Assert.Equal(ExitCodes.BadInput, Run(PretrainYaml).Exit);
    }

    [Fact]
    public void Pretrain_InterruptedAndResumed_EndsWithTheUninterruptedRunsMetricsBitForBit()
    {
        var (_, whole) = Run(PretrainYaml);
        using var stop = new CancellationTokenSource();
        string path = _dir.Write("experiment.yaml", PretrainYaml);
        var (exit, parted) = TinyExperiment.Run(ExperimentLoader.Load(path, ["training.checkpoint_every=7"]), _results,
            stop.Token, HookLogger.CancelAfterEvaluation(10, stop));
        Assert.Equal(ExitCodes.Interrupted, exit);
        // checkpoint_every differs, so compare the training curve, not the checkpoints.
        Assert.Equal(ExitCodes.Ok, TinyExperiment.Resume(parted));

        static string[] Curve(string run) => [.. MetricsCsv.Read(Path.Combine(run, RunFiles.Metrics))
            .Where(r => r.Split is "train" or "val" or "train_eval").Select(r => $"{r.Step} {r.Split} {r.Metric} {r.Value:R}")];
        Assert.Equal(Curve(whole), Curve(parted));
    }

    [Fact]
    public void Reproduce_WhenTheBaseModelIsRetrained_MarksTheFinetuneStale()
    {
        Assert.Equal(ExitCodes.Ok, Run(PretrainYaml).Exit);
        string finetuneYaml = FinetuneYaml.Replace("INIT", "latest:tiny-gpt");
        Assert.Equal(ExitCodes.Ok, Run(finetuneYaml).Exit);
        var finetune = ExperimentLoader.Load(_dir.Write("experiment.yaml", finetuneYaml), []);
        Assert.Null(ReproduceCommand.WhyStale(finetune, _results));

        Assert.Equal(ExitCodes.Ok, Run(PretrainYaml, "seed=4").Exit);                  // a new base run becomes latest

        Assert.Contains("the init_from checkpoint changed", ReproduceCommand.WhyStale(finetune, _results));
    }

    [Fact]
    public void Finetune_FromAGpt2SafetensorsFile_UsesGpt2sTokenizerAndWeights()
    {
        // A tiny randomly initialised model in GPT-2's Hugging Face layout stands in for GPT-2 124M's model.safetensors.
        TorchSharp.torch.manual_seed(5);
        using (var tiny = new GenLab.Models.Gpt.GptModel(new GenLab.Models.Gpt.GptConfig
               { VocabSize = 50257, BlockSize = 32, Layers = 1, Heads = 2, EmbeddingDim = 8 }))
            GenLab.Models.Gpt.GptSafetensors.Export(tiny, Path.Combine(_dir.Root, "gpt2-tiny.safetensors"));
        string yaml = FinetuneYaml.Replace("  init_from: INIT\n",
            "  init_from: " + Path.Combine(_dir.Root, "gpt2-tiny.safetensors") + "\n  network: { block_size: 32, layers: 1, heads: 2, embedding_dim: 8 }\n");

        var logger = new HookLogger();
        var (exit, runDir) = TinyExperiment.Run(ExperimentLoader.Load(_dir.Write("experiment.yaml", yaml), []), _results, logger: logger);

        Assert.True(exit == ExitCodes.Ok, logger.Text());
        string tokenizer = File.ReadAllText(Path.Combine(runDir, RunFiles.Checkpoints, "step-000010", GptCheckpoint.TokenizerFile));
        Assert.Contains("r50k_base", tokenizer);
        Assert.Equal(ExitCodes.BadInput, Run(yaml.Replace("layers: 1, heads: 2", "layers: 2, heads: 2")).Exit);
    }

    [Fact]
    public void Pretrain_TailSplit_GivesTheCurveItGaveBeforeDocumentSplitsExisted()
    {
        var logger = new HookLogger();
        var (exit, run) = TinyExperiment.Run(ExperimentLoader.Load(_dir.Write("experiment.yaml", PretrainYaml), ["data.split=tail"]), _results, logger: logger);
        Assert.Equal(ExitCodes.Ok, exit);
        // Measured (one torch thread) with the code before data.split existed: the tail split's token streams are the
        // ones they were, so nanoGPT-style experiments (tiny Shakespeare) keep their numbers.
        double[] before = [3.4388667345046997, 3.045470356941223, 2.9003026485443115];
        double[] val = [.. MetricsCsv.Read(Path.Combine(run, RunFiles.Metrics)).Where(r => r.Split == "val" && r.Metric == "loss").Select(r => r.Value)];
        Assert.Equal(before.Length, val.Length);
        for (int i = 0; i < val.Length; i++) Assert.Equal(before[i], val[i], 1e-6);
        // The text is one passage written 12 times: most of the tail is in lines training also has.
        Assert.InRange(RunResults.Read(run)!.Values["val_overlap"], 0.5, 1.0);
        Assert.Contains("Split: tail. The last 20% of the token stream is validation", logger.Text());
    }

    [Fact]
    public void Pretrain_DocumentSplit_ValidatesOnDocumentsTrainingNeverHad_AndSaysSo()
    {
        var paragraphs = Enumerable.Range(0, 40).Select(i => $"o modelo número {i} aprende a prever o próximo caractere.").ToList();
        string text = _dir.Write("documents.txt", string.Concat(paragraphs.Concat(paragraphs).Select(p => p + "\n\n")));   // each twice
        var logger = new HookLogger();
        string path = _dir.Write("experiment.yaml", PretrainYaml);
        var (exit, run) = TinyExperiment.Run(ExperimentLoader.Load(path, [$"data.path={text}", "data.split=documents"]), _results, logger: logger);

        Assert.True(exit == ExitCodes.Ok, logger.Text());
        Assert.Equal(0.0, RunResults.Read(run)!.Values["val_overlap"]);
        Assert.True(logger.Text().Contains("The text holds 40 distinct documents (blank-line-separated; 40 duplicates removed); 9 of them, picked by a hash of their text, are validation"), logger.Text());
        Assert.Contains("val_overlap = 0.000", File.ReadAllText(Path.Combine(run, RunFiles.Report, "index.html")));
    }

    [Fact]
    public void Pretrain_DocumentSplit_WhenValidationHasACharacterTrainingLacks_OrTheSplitIsUnknown_IsBadInput()
    {
        // Two documents, each with letters the other lacks: whichever the hash picks for validation, the char
        // vocabulary learnt from the other cannot encode it.
        string text = _dir.Write("documents.txt", "o modelo aprende a prever o caractere seguinte.\n\nxyzw xyzw xyzw xyzw xyzw.\n\n");
        var logger = new HookLogger();
        string path = _dir.Write("experiment.yaml", PretrainYaml);
        var (exit, _) = TinyExperiment.Run(ExperimentLoader.Load(path, [$"data.path={text}", "data.split=documents"]), _results, logger: logger);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("data.split: documents: the tokenizer learnt from the training documents cannot encode", logger.Text());

        var error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, ["data.split=paragraphs"]));
        Assert.Contains("data.split", error.Message);
        Assert.Contains("valid values: tail, documents", error.Message);
    }

    [Fact]
    public void Load_WhenEmbeddingIsNotDivisibleByHeads_NamesTheKey()
    {
        string path = _dir.Write("experiment.yaml", PretrainYaml.Replace("heads: 2, embedding_dim: 16", "heads: 3, embedding_dim: 16"));
        var error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, []));
        Assert.Contains("model.network.embedding_dim", error.Message);
        Assert.Contains("not divisible by heads 3", error.Message);
    }
}
