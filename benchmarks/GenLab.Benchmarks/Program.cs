using GenLab.Benchmarks;
using GenLab.Models.Diffusion;

// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- bpe|word2vec|gpt [path-to-corpus] [--data-dir DIR] [--nanogpt DIR] [--bare-only]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- gpt --seeds 1337,1,2,3,4 [--nanogpt DIR]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- unet [--experiment experiments/05-diffusion/ddpm-digits-cpu.yaml] [--steps N] [--warmup N] [--threads N] [--interop N] [--no-pytorch] [--base-channels N] [--channel-mults 1,2,2] [--attention-levels 2]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- quality [--threads N]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- sampling [experiments/05-diffusion/ddpm-digits-cpu.yaml]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- diffusion-judge <run-dir> [--set model.sample_steps=100 ...]
if (args.Length == 0 || args[0] is not ("bpe" or "word2vec" or "gpt" or "unet" or "quality" or "sampling" or "diffusion-judge"))
{
    Console.Error.WriteLine("usage: GenLab.Benchmarks bpe|word2vec|gpt [path-to-corpus] [--data-dir DIR] [--nanogpt DIR] [--bare-only]   (default corpus: the tiny Shakespeare gpt-char-shakespeare-cpu.yaml names, from --data-dir, GENLAB_DATA or the cache, else fetched)");
    Console.Error.WriteLine("       GenLab.Benchmarks gpt [path-to-corpus] --seeds 1337,1,2 [--nanogpt DIR]   (final val loss over seeds, 200 batches)");
    Console.Error.WriteLine("       GenLab.Benchmarks unet [--experiment YAML] [--steps 30] [--warmup 5] [--threads N] [--interop N] [--no-pytorch] [--base-channels N] [--channel-mults 1,2,2] [--attention-levels 2]");
    Console.Error.WriteLine("       GenLab.Benchmarks quality [--threads N]   (N = libtorch threads; default: libtorch's own choice)");
    Console.Error.WriteLine("       GenLab.Benchmarks sampling [experiment.yaml]   (default: experiments/05-diffusion/ddpm-digits-cpu.yaml)");
    Console.Error.WriteLine("       GenLab.Benchmarks diffusion-judge <run-dir> [--set key=value ...]   (re-judge a diffusion run's samples with other settings)");
    return 2;
}
Console.WriteLine($"MKL on AMD: {GenLab.Runner.Hosting.MklOnAmd.Apply()}"); // before anything loads libtorch
Console.WriteLine($"tensor memory: {GenLab.Models.Data.TensorMemory.Apply()}");
string? Value(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
if (args[0] == "unet")
{
    int? Option(string name) => int.TryParse(Value(name), out int value) && value > 0 ? value : null;
    var config = new UNetConfig();
    var shape = new UNetBenchmark.Shape();
    if (Value("--experiment") is string yaml)
    {
        // The experiment's own U-Net, image shape and batch (a caption-conditioned U-Net is timed unconditioned).
        var experiment = GenLab.Runner.Config.ExperimentLoader.Load(yaml, []).Config;
        var data = experiment.DataAs<GenLab.Models.Images.ImageDatasetConfig>();
        config = experiment.ModelAs<DiffusionExperimentConfig>().Unet with { CondDim = 0 };
        shape = new(experiment.Training.BatchSize, data.Source == GenLab.Models.Images.ImageSource.Drawer && !data.Grayscale ? 3 : 1, data.Size);
    }
    if (Option("--base-channels") is int baseChannels) config = config with { BaseChannels = baseChannels };
    if (Value("--channel-mults") is string mults) config = config with { ChannelMults = [.. mults.Split(',').Select(int.Parse)] };
    if (Value("--attention-levels") is string levels) config = config with { AttentionLevels = [.. levels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)] };
    return UNetBenchmark.Run(FindRepo(), config, shape, Option("--steps") ?? 30, Option("--warmup") ?? 5, Option("--threads"),
        Option("--interop"), withPyTorch: !args.Contains("--no-pytorch"));
}
if (args[0] == "diffusion-judge" && args.Length > 1)
    return DiffusionJudge.Run(args[1], [.. Enumerable.Range(2, args.Length - 2).Where(i => args[i - 1] == "--set").Select(i => args[i])]);
if (args[0] == "sampling")
    return SamplingBenchmark.Run(FindRepo(), args.Length > 1 ? args[1] : "experiments/05-diffusion/ddpm-digits-cpu.yaml");
if (args[0] == "quality")
{
    QualityBenchmark.Run(Value("--threads") is string threads ? int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture) : 0);
    return 0;
}
string? nanoGptDir = Value("--nanogpt");
// The values of options that take one are not the corpus.
var optionValues = Enumerable.Range(1, args.Length - 1).Where(i => args[i - 1] is "--nanogpt" or "--seeds" or "--data-dir").ToHashSet();
var positional = args.Where((a, i) => i > 0 && !a.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(i)).ToArray();
string[] dataDirs = [.. optionValues.Where(i => args[i - 1] == "--data-dir").Select(i => args[i])];
string path;
try { path = positional.Length > 0 ? positional[0] : ShakespeareCorpus.Find(FindRepo(), dataDirs); }
catch (GenLab.Runner.Data.DataUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (!File.Exists(path))
{
    Console.Error.WriteLine($"{path}: corpus not found");
    return 1;
}
if (args[0] == "bpe") BpeBenchmark.Run(path);
else if (args[0] == "word2vec") Word2VecBenchmark.Run(path);
else if (Value("--seeds") is string seeds)
    return GptSeedStudy.Run(FindRepo(), path, [.. seeds.Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture))], nanoGptDir);
else return GptBenchmark.Run(FindRepo(), path, nanoGptDir, bareOnly: args.Contains("--bare-only"));
return 0;

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) return dir.FullName;
    throw new DirectoryNotFoundException("GenLab.slnx not found above the benchmark");
}
