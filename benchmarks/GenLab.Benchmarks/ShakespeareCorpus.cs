using GenLab.Models.Gpt;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace GenLab.Benchmarks;

/// <summary>The default corpus of the bpe, word2vec and gpt benchmarks: the tiny Shakespeare that
/// gpt-char-shakespeare-cpu.yaml names by URL and SHA-256, found as <c>genlab run</c> finds it (<c>--data-dir</c>,
/// GENLAB_DATA, the cache) and verified, or fetched once into the cache.</summary>
internal static class ShakespeareCorpus
{
    public const string Experiment = "experiments/03-transformer/gpt-char-shakespeare-cpu.yaml";

    /// <exception cref="DataUnavailableException">No good copy is found and it cannot be fetched.</exception>
    public static string Find(string repoRoot, IReadOnlyList<string> dataDirectories)
    {
        var search = DataSearch.FromEnvironment(dataDirectories);
        var loaded = ExperimentLoader.Load(Path.Combine(repoRoot, Experiment), [], data: search);
        new DataFetcher(search, NullLogger.Instance, interactive: false)
            .EnsureAsync(loaded.NamedData, CancellationToken.None).GetAwaiter().GetResult();
        return loaded.Config.DataAs<GptTextDataConfig>().Path;
    }
}
