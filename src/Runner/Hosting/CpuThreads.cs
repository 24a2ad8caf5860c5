using static TorchSharp.torch;

namespace GenLab.Runner.Hosting;

/// <summary>How many threads libtorch's CPU kernels use: <c>GENLAB_THREADS</c> when set, else one per core. A
/// machine setting, not part of an experiment (it changes speed, not results, apart from float summation order),
/// so it lives in the environment and is recorded in run.json rather than in the YAML.
/// On a machine that other jobs keep busy, 1 can be several times faster than 2: OpenMP threads wait for each other
/// at every kernel (measured in the U-Net benchmark).</summary>
public static class CpuThreads
{
    public const string Variable = "GENLAB_THREADS";

    /// <summary>The threads each of <paramref name="atOnce"/> child runs sharing this machine gets: the cores split
    /// between them, at least one; null when the environment sets <see cref="Variable"/> already (the children inherit it).</summary>
    public static int? ShareFor(int atOnce) =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } ? null : Math.Max(1, Environment.ProcessorCount / Math.Max(1, atOnce));

    /// <summary>How a child's threads were chosen, for a console line: "2 thread(s) each" or the inherited setting.</summary>
    public static string DescribeShare(int? share) =>
        share is { } n ? $"{n} thread(s) each" : $"{Variable}={Environment.GetEnvironmentVariable(Variable)} threads each (from the environment)";

    /// <returns>The thread count now in effect.</returns>
    public static int Apply()
    {
        string? text = Environment.GetEnvironmentVariable(Variable);
        int threads = Environment.ProcessorCount;
        if (!string.IsNullOrWhiteSpace(text) && (!int.TryParse(text, out threads) || threads < 1))
            throw new ArgumentException($"environment variable {Variable}='{text}' must be a positive whole number of threads");
        set_num_threads(threads);
        return get_num_threads();
    }
}
