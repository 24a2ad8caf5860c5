using System.Text.RegularExpressions;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Config;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Commands;

/// <summary><c>genlab verify</c> as CI calls it: real processes, a table, the exit code, CI variants, skipped GPU
/// experiments and references.</summary>
[Collection(TorchCollection.Name)]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Experiment(string file, string name, string expect, string extra = "")
    {
        _dir.Write("words.txt", string.Join("\n", TinyExperiment.Words) + "\n");
        return _dir.Write(file, TinyExperiment.Yaml.Replace("name: tiny", $"name: {name}", StringComparison.Ordinal)
            + $"\nexpect:\n  {expect}\n{extra}");
    }

    [Fact]
    public async Task Verify_TabulatesEveryExpectation_ExitsOneOnAMiss_AndRunsTheCiVariant()
    {
        Experiment("a-pass.yaml", "passes", "best_val_loss: { max: 100 }", "ci:\n  training: { steps: 20, warmup_steps: 2 }\n");
        Experiment("b-miss.yaml", "misses", "best_val_loss: { max: 0.001 }");
        _dir.Write("c-gpu.yaml", File.ReadAllText(Path.Combine(_dir.Root, "a-pass.yaml"))
            .Replace("name: passes", "name: gpu-only", StringComparison.Ordinal).Replace("device: cpu", "device: cuda", StringComparison.Ordinal));
        string results = Path.Combine(_dir.Root, "results");

        var (exit, output) = await GenlabProcess.RunAsync(["verify", _dir.Root, "--ci", "--results", results]);

        Assert.True(exit == ExitCodes.Failed, output);
        Assert.Matches(new Regex(@"passes\s+best_val_loss\s+≤ 100\s+[\d.]+\s+pass"), output);
        Assert.Matches(new Regex(@"misses\s+best_val_loss\s+≤ 0\.001\s+[\d.]+\s+fail"), output);
        Assert.Contains("gpu-only", output);
        Assert.Contains("skipped: needs CUDA (device: cuda)", output);
        Assert.Contains("2 experiment(s) run, 2 expectation(s) checked, 1 experiment(s) failing, 1 skipped", output);
        // The CI variant of "passes" ran 20 steps, the full "misses" 40.
        Assert.Equal(20, RunInfo.Read(GenLab.Runner.Runs.RunFolder.ResolveLatest(Path.Combine(results, "passes"))!).Step);
        Assert.Equal(40, RunInfo.Read(GenLab.Runner.Runs.RunFolder.ResolveLatest(Path.Combine(results, "misses"))!).Step);
    }

    [Fact]
    public async Task Verify_WithReference_WritesTheRunsThatPassed_WithoutCheckpointsOrMachineSpeed()
    {
        Experiment("a-pass.yaml", "passes", "best_val_loss: { max: 100 }");
        string reference = Path.Combine(_dir.Root, "reference");
        var (exit, output) = await GenlabProcess.RunAsync(["verify", Path.Combine(_dir.Root, "a-pass.yaml"),
            "--results", Path.Combine(_dir.Root, "results"), "--reference", reference]);

        Assert.True(exit == ExitCodes.Ok, output);
        string dir = Path.Combine(reference, "passes");
        foreach (string file in new[] { RunFiles.RunInfo, RunFiles.Experiment, RunResults.FileName, RunFiles.Metrics, "report/README.md", "report/loss.png" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.False(Directory.Exists(Path.Combine(dir, RunFiles.Checkpoints)));
        Assert.False(File.Exists(Path.Combine(dir, "report", "index.html")));
        Assert.DoesNotContain(",perf,", File.ReadAllText(Path.Combine(dir, RunFiles.Metrics)));
        Assert.True(RunResults.Read(dir)!.Passed);
        Assert.Contains("## Expectations", File.ReadAllText(Path.Combine(dir, "report", "README.md")));
    }

    [Fact]
    public async Task Verify_WithReference_WritesAnAnalysis_ThatHasNoCurves()
    {
        string reference = Path.Combine(_dir.Root, "reference");
        var (exit, output) = await GenlabProcess.RunAsync(["verify", Path.Combine(Repository.Experiments, "01-tokenization/preguica.yaml"),
            "--results", Path.Combine(_dir.Root, "results"), "--reference", reference]);

        Assert.True(exit == ExitCodes.Ok, output);
        string dir = Path.Combine(reference, "preguica");
        Assert.True(RunResults.Read(dir)!.Passed);
        Assert.True(File.Exists(Path.Combine(dir, "report", "README.md")));
        Assert.False(File.Exists(Path.Combine(dir, RunFiles.Metrics)));   // a tokenizer comparison trains nothing
    }

    [Fact]
    public void DependencyOrder_RunsAFineTuneAfterTheModelItStartsFrom()
    {
        var gpt = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "03-transformer/gpt-bpe-pt.yaml"), []);
        var qa = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "06-finetune/qa-pt.yaml"), []);
        var mlp = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "00-quickstart/mlp-char.yaml"), []);
        var ordered = VerifyCommand.DependencyOrder([("qa", qa), ("mlp", mlp), ("gpt", gpt)]).Select(o => o.File).ToList();
        Assert.Equal(["gpt", "qa", "mlp"], ordered);     // the fine-tune pulls the model it starts from ahead of it
    }

    [Fact]
    public async Task Verify_OnAnInvalidFile_IsBadInputNamingTheLine()
    {
        string bad = Experiment("bad.yaml", "bad", "no_such_result: { min: 1 }");
        var (exit, output) = await GenlabProcess.RunAsync(["verify", bad, "--results", Path.Combine(_dir.Root, "results")]);
        Assert.True(exit == ExitCodes.BadInput, output);
        Assert.Matches(new Regex(@"bad\.yaml:\d+:3: expect\.no_such_result: a mlp_char experiment reports no result"), output);
    }

    [Fact]
    public async Task Verify_InParallel_RunsEachWithItsShareOfTheCores_AndTabulatesAll()
    {
        Experiment("a-pass.yaml", "first", "best_val_loss: { max: 100 }");
        Experiment("b-pass.yaml", "second", "best_val_loss: { max: 100 }");
        string results = Path.Combine(_dir.Root, "results");

        var (exit, output) = await GenlabProcess.RunAsync(["verify", _dir.Root, "--parallel", "2", "--results", results],
            new Dictionary<string, string?> { [CpuThreads.Variable] = null });

        Assert.True(exit == ExitCodes.Ok, output);
        int share = Math.Max(1, Environment.ProcessorCount / 2);
        Assert.Contains($"2 at a time, {share} thread(s) each", output);
        Assert.Contains("[first] ", output);                                 // child lines say whose they are
        Assert.Contains("2 experiment(s) run, 2 expectation(s) checked, 0 experiment(s) failing", output);
        foreach (string name in new[] { "first", "second" })
            Assert.Equal(share, RunInfo.Read(GenLab.Runner.Runs.RunFolder.ResolveLatest(Path.Combine(results, name))!).Environment.TorchThreads);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public async Task Verify_ParallelOutOfRange_IsBadInput(string parallel)
    {
        string file = Experiment("a-pass.yaml", "first", "best_val_loss: { max: 100 }");
        var (exit, output) = await GenlabProcess.RunAsync(["verify", file, "--parallel", parallel, "--results", Path.Combine(_dir.Root, "results")]);
        Assert.True(exit == ExitCodes.BadInput, output);
        Assert.Contains($"--parallel {parallel}: must be between 1 and 64", output);
    }

    [Fact]
    public void LongestFirst_OrdersByTheReferenceRunsDurations_UnknownLast()
    {
        var mlp = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "00-quickstart/mlp-char.yaml"), []);
        var gpt = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "03-transformer/gpt-bpe-pt.yaml"), []);
        var qa = ExperimentLoader.Load(Path.Combine(Repository.Experiments, "06-finetune/qa-pt.yaml"), []);
        string reference = Path.Combine(_dir.Root, "reference");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (loaded, seconds) in new[] { (mlp, 5), (gpt, 170) })
        {
            string dir = Directory.CreateDirectory(Path.Combine(reference, loaded.Config.Name)).FullName;
            new RunInfo
            {
                Name = loaded.Config.Name, Kind = "x", RunId = "r", Environment = new EnvironmentInfo(),
                StartedUtc = start, EndedUtc = start.AddSeconds(seconds),
            }.Write(dir);
        }

        var ordered = VerifyCommand.LongestFirst([("qa", qa), ("mlp", mlp), ("gpt", gpt)], reference).Select(o => o.File).ToList();

        Assert.Equal(["gpt", "mlp", "qa"], ordered);
        Assert.Equal(["qa", "mlp", "gpt"], VerifyCommand.LongestFirst([("qa", qa), ("mlp", mlp), ("gpt", gpt)], null).Select(o => o.File));
    }
}
