using GenLab.Benchmarks;

// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- bpe|word2vec|gpt [path-to-corpus] [--nanogpt DIR]
// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- unet [--steps N] [--warmup N] [--threads N] [--interop N] [--no-pytorch]
if (args.Length == 0 || args[0] is not ("bpe" or "word2vec" or "gpt" or "unet"))
{
    Console.Error.WriteLine("usage: GenLab.Benchmarks bpe|word2vec|gpt [path-to-corpus] [--nanogpt DIR]   (default corpus: ../shared/data/tinyshakespeare.txt next to the repo)");
    Console.Error.WriteLine("       GenLab.Benchmarks unet [--steps 30] [--warmup 5] [--threads N] [--interop N] [--no-pytorch]");
    return 2;
}
if (args[0] == "unet")
{
    int? Option(string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int value) && value > 0 ? value : null;
    }
    return UNetBenchmark.Run(FindRepo(), Option("--steps") ?? 30, Option("--warmup") ?? 5, Option("--threads"), Option("--interop"),
        withPyTorch: !args.Contains("--no-pytorch"));
}
int nano = Array.IndexOf(args, "--nanogpt");
string? nanoGptDir = nano >= 0 && nano + 1 < args.Length ? args[nano + 1] : null;
var positional = args.Where((a, i) => i > 0 && a != "--nanogpt" && (nano < 0 || i != nano + 1)).ToArray();
string path = positional.Length > 0 ? positional[0] : BpeBenchmark.DefaultCorpus();
if (!File.Exists(path))
{
    Console.Error.WriteLine($"{path}: corpus not found");
    return 1;
}
if (args[0] == "bpe") BpeBenchmark.Run(path);
else if (args[0] == "word2vec") Word2VecBenchmark.Run(path);
else return GptBenchmark.Run(FindRepo(), path, nanoGptDir);
return 0;

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) return dir.FullName;
    throw new DirectoryNotFoundException("GenLab.slnx not found above the benchmark");
}
