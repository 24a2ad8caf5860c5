using System.Globalization;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using GenLab.Runner.Training;

namespace GenLab.Runner.Tests.Hosting;

/// <summary>The regression test for the conv labs' NaN (../shared/notes/nan-onednn.md): every convolutional model of
/// the shipped experiments, at its shipped size and batch, takes training steps in a real <c>genlab</c> process at the
/// default thread count, with every block the allocator hands out pre-filled with NaN (0xffededed, the pixel of a
/// freed SkiaSharp bitmap) by an LD_PRELOAD library. On a processor where oneDNN's backward reads unwritten bytes
/// (AMD family 26) that is the failure every time unless tensor memory is zeroed; the guardrails make any NaN in a
/// loss, gradient or weight a failed run, so exit code 0 means every gradient and weight stayed finite. Where oneDNN
/// reads nothing stale (family 25, Intel) it passes either way; what it proves everywhere is that the fix does not
/// depend on what freed memory held, and the poison count proves the poison was there.</summary>
[Collection(TorchCollection.Name)]
public sealed class PoisonedMemoryTests : IDisposable
{
    private const string Library = "libgenlab_poison_alloc.so";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Shortened runs: smaller data, two steps, short sampling; the networks and batch sizes as shipped.</summary>
    private static readonly string[] Steps =
    [
        "training.steps=2", "training.warmup_steps=0", "training.eval_every=1", "training.eval_batches=1",
        "training.log_every=1", "training.checkpoint_every=2", "expect=null",
    ];

    private static readonly string[] Diffusion =
    [
        "data.count_per_item=8", "model.scheduler.train_timesteps=20", "model.sample_steps=2", "model.compare_steps=[2]",
        "model.trajectory_frames=2", "model.grid_samples=2", "model.seeds_per_prompt=1", "model.quality_samples=0",
    ];

    public static TheoryData<string, string[]> ConvExperiments() => new()
    {
        { "02-embeddings/autoencoder-drawer.yaml", ["data.count_per_item=8"] },
        { "04-vae/vae-digits.yaml", ["data.count_per_item=8"] },
        { "04-vae/vae-drawer.yaml", ["data.count_per_item=8"] },
        { "05-diffusion/ddpm-digits-cpu.yaml", Diffusion },
        { "05-diffusion/text-to-image-drawer.yaml", [.. Diffusion, "model.guidance_scales=[2]"] },
    };

    [Theory]
    [MemberData(nameof(ConvExperiments))]
    public async Task ConvModel_TrainsFinite_WhenEveryAllocationHoldsNaN_AtTheDefaultThreadCount(string experiment, string[] overrides)
    {
        string library = Path.Combine(AppContext.BaseDirectory, Library);
        Assert.True(File.Exists(library), $"{library} was not built: the build needs a C compiler (apt-get install gcc) for this test");
        string report = Path.Combine(_dir.Root, "poisoned-blocks.txt");
        string results = Path.Combine(_dir.Root, "results");
        string[] args = ["run", Path.Combine(Repository.Experiments, experiment), "--results", results,
            .. Steps.Concat(overrides).SelectMany(o => new[] { "--set", o })];

        var (exit, output) = await GenlabProcess.RunAsync(args, new Dictionary<string, string?>
        {
            ["LD_PRELOAD"] = library,
            ["GENLAB_POISON_REPORT"] = report,
            ["GENLAB_THREADS"] = null,               // the default: one thread per core, as users run it
            ["GENLAB_TENSOR_FILL"] = null,           // the default (auto)
        });

        Assert.True(exit == ExitCodes.Ok, $"genlab exited with {exit}:\n{output}");
        string runDir = Directory.EnumerateDirectories(Directory.EnumerateDirectories(results).Single())
            .Single(d => new DirectoryInfo(d).LinkTarget is null);
        var info = RunInfo.Read(runDir);
        Assert.Equal(RunStatus.Completed, info.Status);
        Assert.Equal(2, info.Step);
        Assert.Equal(Environment.ProcessorCount, info.Environment.TorchThreads);
        Assert.StartsWith("auto: zeroed", info.Environment.TensorFill);
        Assert.All(MetricsCsv.Read(Path.Combine(runDir, RunFiles.Metrics)), r => Assert.True(double.IsFinite(r.Value), r.ToString()));
        Assert.NotNull(new CheckpointStore(Path.Combine(runDir, RunFiles.Checkpoints)).NewestValid());

        // The poison was really there: genlab's own process (not only a child such as git) poisoned many blocks.
        Assert.True(File.Exists(report), "the poison library wrote no report: LD_PRELOAD did not take");
        var counts = File.ReadAllLines(report).Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture),
            p => long.Parse(p[1], CultureInfo.InvariantCulture));
        Assert.True(counts.TryGetValue(info.ProcessId!.Value, out long blocks) && blocks > 1000,
            $"genlab (pid {info.ProcessId}) poisoned {blocks} blocks; report: {string.Join("; ", counts)}");
    }
}
