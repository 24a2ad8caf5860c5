using System.CommandLine;
using System.Globalization;
using GenLab.Benchmarks;
using GenLab.Models.Diffusion;

// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- <benchmark> [options]; --help lists them.
// Options are parsed strictly (System.CommandLine, as the runner): a misspelt option or a value that is not a number is
// an error, never silently ignored or replaced by a default.
var parse = Cli().Parse(args);
if (parse.Errors.Count == 0 && parse.CommandResult.Command is not RootCommand && parse.Action is not System.CommandLine.Help.HelpAction)
{
    Console.WriteLine($"MKL on AMD: {GenLab.Runner.Hosting.MklOnAmd.Apply()}"); // before anything loads libtorch
    Console.WriteLine($"tensor memory: {GenLab.Models.Data.TensorMemory.Apply()}");
}
return parse.Invoke();

static RootCommand Cli()
{
    var root = new RootCommand("GenLab's console benchmarks: GenLab against the reference implementations, timed on this machine.");

    var corpus = new Argument<string?>("corpus")
    {
        Description = "Text file (default: the tiny Shakespeare gpt-char-shakespeare-cpu.yaml names, from --data-dir, GENLAB_DATA or the cache, else fetched).",
        Arity = ArgumentArity.ZeroOrOne,
    };
    var dataDir = new Option<string[]>("--data-dir") { Description = "A folder to look in for the default corpus (repeatable).", Arity = ArgumentArity.ZeroOrMore };

    var bpe = new Command("bpe", "BPE training and encoding speed, against tiktoken-style references.") { corpus, dataDir };
    bpe.SetAction(p => WithCorpus(p, corpus, dataDir, path => { BpeBenchmark.Run(path); return 0; }));

    var rounds = Positive("--rounds", "Timed rounds, each GenLab then gensim.", 3);
    var word2vec = new Command("word2vec", "word2vec training speed and neighbour quality, against gensim.") { corpus, dataDir, rounds };
    word2vec.SetAction(p => WithCorpus(p, corpus, dataDir, path => { Word2VecBenchmark.Run(path, p.GetValue(rounds)!.Value); return 0; }));

    var nanoGpt = new Option<string?>("--nanogpt") { Description = "A karpathy/nanoGPT checkout to time beside GenLab." };
    var bareOnly = new Option<bool>("--bare-only") { Description = "Time the bare training loop only, not the full run." };
    var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds: final val loss over seeds (200 batches) instead of timing." };
    seeds.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<string?>() is { } text && Longs(text) is null) r.AddError($"--seeds: expected comma-separated integers, got '{text}'");
    });
    var gpt = new Command("gpt", "GPT training against nanoGPT: speed, or with --seeds the final validation loss over seeds.")
        { corpus, dataDir, nanoGpt, bareOnly, seeds };
    gpt.SetAction(p => WithCorpus(p, corpus, dataDir, path => p.GetValue(seeds) is { } list
        ? GptSeedStudy.Run(FindRepo(), path, Longs(list)!, p.GetValue(nanoGpt))
        : GptBenchmark.Run(FindRepo(), path, p.GetValue(nanoGpt), bareOnly: p.GetValue(bareOnly))));

    var experiment = new Option<string?>("--experiment") { Description = "Take the U-Net, image shape and batch from this diffusion experiment." };
    var steps = Positive("--steps", "Timed training steps.", 30);
    var warmup = Positive("--warmup", "Untimed steps first.", 5);
    var unetRounds = Positive("--rounds", "The timed steps are taken in this many rounds, every setting's share in turn.", 3);
    var threads = Positive("--threads", "libtorch intra-op threads (default: libtorch's own choice).", null);
    var interop = Positive("--interop", "libtorch inter-op threads.", null);
    var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch reference (benchmarks/pytorch/unet_bench.py)." };
    var baseChannels = Positive("--base-channels", "U-Net base width.", null);
    var channelMults = IntList("--channel-mults", "Width multiplier per level, e.g. 1,2,2.");
    var attentionLevels = IntList("--attention-levels", "Levels with attention, e.g. 2 (empty: none).");
    var unet = new Command("unet", "U-Net training step: GenLab against the same network in PyTorch.")
        { experiment, steps, warmup, unetRounds, threads, interop, noPyTorch, baseChannels, channelMults, attentionLevels };
    unet.SetAction(p =>
    {
        var config = new UNetConfig();
        var shape = new UNetBenchmark.Shape();
        if (p.GetValue(experiment) is { } yaml)
        {
            // The experiment's own U-Net, image shape and batch (a caption-conditioned U-Net is timed unconditioned).
            var loaded = GenLab.Runner.Config.ExperimentLoader.Load(yaml, []).Config;
            var data = loaded.DataAs<GenLab.Models.Images.ImageDatasetConfig>();
            config = loaded.ModelAs<DiffusionExperimentConfig>().Unet with { CondDim = 0 };
            shape = new(loaded.Training.BatchSize, data.Source == GenLab.Models.Images.ImageSource.Drawer && !data.Grayscale ? 3 : 1, data.Size);
        }
        if (p.GetValue(baseChannels) is int width) config = config with { BaseChannels = width };
        if (p.GetValue(channelMults) is { } mults) config = config with { ChannelMults = Ints(mults)! };
        if (p.GetValue(attentionLevels) is { } levels) config = config with { AttentionLevels = Ints(levels)! };
        return UNetBenchmark.Run(FindRepo(), config, shape, p.GetValue(steps)!.Value, p.GetValue(warmup)!.Value, p.GetValue(unetRounds)!.Value,
            p.GetValue(threads), p.GetValue(interop), withPyTorch: !p.GetValue(noPyTorch));
    });

    var qualityThreads = Positive("--threads", "libtorch threads (default: libtorch's own choice).", null);
    var quality = new Command("quality", "The sample-quality judge: classifier training and FID-lite cost.") { qualityThreads };
    quality.SetAction(p => { QualityBenchmark.Run(p.GetValue(qualityThreads) ?? 0); return 0; });

    var samplingExperiment = new Argument<string>("experiment")
    {
        Description = "A diffusion experiment.", DefaultValueFactory = _ => "experiments/05-diffusion/ddpm-digits-cpu.yaml",
    };
    var sampling = new Command("sampling", "Diffusion sampling speed: DDPM and DDIM step counts.") { samplingExperiment };
    sampling.SetAction(p => SamplingBenchmark.Run(FindRepo(), p.GetValue(samplingExperiment)!));

    var runDir = new Argument<string>("run-dir") { Description = "A diffusion run folder." };
    var set = new Option<string[]>("--set") { Description = "Override a key when judging: --set model.eta=1 (repeatable).", Arity = ArgumentArity.ZeroOrMore };
    var judge = new Command("diffusion-judge", "Judge a diffusion run's samples again with other sampling settings.") { runDir, set };
    judge.SetAction(p => DiffusionJudge.Run(p.GetValue(runDir)!, p.GetValue(set) ?? []));

    foreach (var command in new[] { bpe, word2vec, gpt, unet, quality, sampling, judge }) root.Subcommands.Add(command);
    return root;
}

// The corpus given, else the tiny Shakespeare the GPT experiment names.
static int WithCorpus(ParseResult parse, Argument<string?> corpus, Option<string[]> dataDir, Func<string, int> run)
{
    string path;
    try { path = parse.GetValue(corpus) ?? ShakespeareCorpus.Find(FindRepo(), parse.GetValue(dataDir) ?? []); }
    catch (GenLab.Runner.Data.DataUnavailableException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    if (File.Exists(path)) return run(path);
    Console.Error.WriteLine($"error: {path}: corpus not found");
    return 2;
}

static Option<int?> Positive(string name, string description, int? defaultValue)
{
    var option = new Option<int?>(name) { Description = description };
    if (defaultValue is { } value) option.DefaultValueFactory = _ => value;
    // Only a value that parsed as an integer is checked here: the parser itself reports "abc".
    option.Validators.Add(r =>
    {
        if (r.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out int v) && v < 1)
            r.AddError($"{name} must be a positive integer, got {v}");
    });
    return option;
}

static Option<string?> IntList(string name, string description)
{
    var option = new Option<string?>(name) { Description = description };
    option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<string?>() is { } text && Ints(text) is null) r.AddError($"{name}: expected comma-separated integers, got '{text}'");
    });
    return option;
}

static int[]? Ints(string text)
{
    var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
    var values = new int[parts.Length];
    for (int i = 0; i < parts.Length; i++)
        if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
    return values;
}

static long[]? Longs(string text)
{
    var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
    var values = new long[parts.Length];
    for (int i = 0; i < parts.Length; i++)
        if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
    return parts.Length > 0 ? values : null;
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) return dir.FullName;
    throw new DirectoryNotFoundException("GenLab.slnx not found above the benchmark");
}
