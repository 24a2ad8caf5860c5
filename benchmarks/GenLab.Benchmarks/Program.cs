using GenLab.Benchmarks;

// dotnet run -c Release --project benchmarks/GenLab.Benchmarks -- bpe|word2vec [path-to-corpus]
if (args.Length == 0 || args[0] is not ("bpe" or "word2vec"))
{
    Console.Error.WriteLine("usage: GenLab.Benchmarks bpe|word2vec [path-to-corpus]   (default: ../shared/data/tinyshakespeare.txt next to the repo)");
    return 2;
}
string path = args.Length > 1 ? args[1] : BpeBenchmark.DefaultCorpus();
if (!File.Exists(path))
{
    Console.Error.WriteLine($"{path}: corpus not found");
    return 1;
}
if (args[0] == "bpe") BpeBenchmark.Run(path);
else Word2VecBenchmark.Run(path);
return 0;
