using System.Globalization;
using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Tests;

/// <summary>A run folder in a temp directory, filled by the tests the way the runner would fill it.</summary>
internal sealed class FakeRun : IDisposable
{
    public string Dir { get; }

    public FakeRun(string? dir = null)
    {
        Dir = dir ?? Path.Combine(Path.GetTempPath(), "genlab-report-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    public string ReportDir => Path.Combine(Dir, RunFiles.Report);

    public static RunInfo Info(RunStatus status = RunStatus.Completed, string name = "tiny-gpt") => new()
    {
        Name = name,
        Kind = "gpt",
        RunId = "20261126-163600-abcd",
        Status = status,
        StartedUtc = new DateTimeOffset(2026, 11, 26, 16, 36, 0, TimeSpan.Zero),
        EndedUtc = status == RunStatus.Running ? null : new DateTimeOffset(2026, 11, 26, 17, 38, 5, TimeSpan.Zero),
        CommandLine = ["genlab", "run", "configs/tiny gpt.yaml", "--set", "train.lr=3e-4"],
        Seed = 1337,
        DeviceRequested = "auto",
        Device = "cuda:0",
        Step = 300,
        TotalSteps = 300,
        Git = new GitInfo("0123456789abcdef0123456789abcdef01234567", Dirty: true),
        Environment = new EnvironmentInfo
        {
            Os = "Debian GNU/Linux 12", CpuModel = "AMD EPYC 7B13", Cores = 2, Gpu = "NVIDIA H100 80GB HBM3",
            DotNet = "10.0.0", TorchSharp = "0.107.0", LibTorch = "2.10.0", TorchBackend = "cuda", GenLab = "0.1.0",
        },
    };

    public FakeRun WithInfo(RunInfo info) { info.Write(Dir); return this; }

    public FakeRun WithMetrics(IEnumerable<MetricRow> rows)
    {
        File.WriteAllLines(Path.Combine(Dir, RunFiles.Metrics), [MetricsCsv.Header, .. rows.Select(MetricsCsv.Format)]);
        return this;
    }

    public FakeRun WithSamples(params SampleRecord[] records)
    {
        File.WriteAllLines(Path.Combine(Dir, RunFiles.Samples), records.Select(SampleRecord.Format));
        return this;
    }

    public FakeRun WithConfig(string yaml)
    {
        File.WriteAllText(Path.Combine(Dir, RunFiles.Experiment), yaml);
        return this;
    }

    public static MetricRow Row(long step, string split, string metric, double value) => new(step, split, metric, value, step * 0.1);

    /// <summary>A few hundred steps of a plausible run: loss decaying from ln(65) towards 1.5 with batch noise, val every
    /// 50 steps, cosine lr with 30 warmup steps, noisy throughput.</summary>
    public static IEnumerable<MetricRow> RealisticMetrics(int steps = 300)
    {
        var rng = new Random(1337);
        double LossAt(long s) => 1.5 + (Math.Log(65) - 1.5) * Math.Exp(-s / 70.0);
        for (long s = 0; s <= steps; s++)
        {
            if (s % 5 == 0)
            {
                yield return Row(s, "train", "loss", LossAt(s) + 0.15 * (rng.NextDouble() - 0.5));
                double lr = s < 30 ? 3e-4 * s / 30 : 3e-5 + 0.5 * (3e-4 - 3e-5) * (1 + Math.Cos(Math.PI * (s - 30) / (steps - 30)));
                yield return Row(s, "train", "lr", lr);
                yield return Row(s, "train", "steps_per_s", 12 + rng.NextDouble());
            }
            if (s % 50 == 0) yield return Row(s, "val", "loss", LossAt(s) + 0.08 + 0.02 * (rng.NextDouble() - 0.5));
        }
    }

    public const string Yaml = "kind: gpt\nmodel:\n  n_layer: 2\n  n_embd: 64\ntrain:\n  lr: 0.0003\n  steps: 300\n";

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    public static string Invariant(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
