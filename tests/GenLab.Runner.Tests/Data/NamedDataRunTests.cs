using System.Security.Cryptography;
using System.Text;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Data;

/// <summary>Tiny GPT runs whose text is named by URL and SHA-256: served by a local server, found in a data folder,
/// or unreachable. The cache is always a temp folder (GENLAB_CACHE for genlab processes).</summary>
[Collection(TorchCollection.Name)]
public sealed class NamedDataRunTests : IDisposable
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(
        "o modelo aprende a prever o próximo caractere de um texto.\n", 40)));
    private static readonly string TextSha256 = Convert.ToHexStringLower(SHA256.HashData(Text));

    private static string Yaml(string url) => $$"""
        name: tiny-gpt
        kind: gpt
        seed: 3
        device: cpu
        data:
          path: { file: text.txt, url: "{{url}}", sha256: {{TextSha256}} }
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

    private readonly TempDir _dir = new();
    private readonly string _results;
    private readonly string _cache;

    public NamedDataRunTests()
    {
        _results = Path.Combine(_dir.Root, "results");
        _cache = Path.Combine(_dir.Root, "cache");
    }

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string?> Environment() => new()
    {
        [DataSearch.CacheVariable] = _cache, [DataSearch.DataVariable] = null, ["XDG_CACHE_HOME"] = null,
    };

    private bool AnyRunFolder() =>
        Directory.Exists(_results) && Directory.EnumerateFiles(_results, RunFiles.RunInfo, SearchOption.AllDirectories).Any();

    [Fact]
    public async Task Genlab_ValidateFetchesNothing_ThenRunFetchesTheTextOnceAndRecordsItsHash()
    {
        using var server = new LocalHttpServer(_ => Reply.Ok(Text));
        string yaml = _dir.Write("experiment.yaml", Yaml(server.Url("corpus/input.txt")));

        var (validateExit, validateOutput) = await GenlabProcess.RunAsync(["validate", yaml], Environment());
        Assert.Equal(ExitCodes.Ok, validateExit);
        Assert.Contains($"data.path: text.txt will be fetched on the first run from {server.Url("corpus/input.txt")}", validateOutput);
        Assert.Equal(0, server.Requests);

        var (exit, output) = await GenlabProcess.RunAsync(["run", yaml, "--results", _results], Environment());

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Equal(1, server.Requests);
        Assert.Contains(FormattableString.Invariant($"text.txt: {Text.Length:N0} / {Text.Length:N0} bytes (100%)"), output);
        Assert.Equal(Text, File.ReadAllBytes(Path.Combine(_cache, "data", TextSha256, "text.txt")));
        string run = RunFolder.ResolveLatest(Path.Combine(_results, "tiny-gpt"))!;
        var info = RunInfo.Read(run);
        Assert.Equal(TextSha256, info.InputHashes[InputFingerprint.DataPrefix + "text.txt"]);
        Assert.Contains($"sha256: {TextSha256}", File.ReadAllText(Path.Combine(run, RunFiles.Experiment)));
    }

    [Fact]
    public async Task Genlab_WhenTheServerAnswers404_ExitsWithBadInputNamingTheUrlAndCreatesNoRun()
    {
        using var server = new LocalHttpServer(_ => Reply.NotFound());
        string url = server.Url("gone.txt");
        string yaml = _dir.Write("experiment.yaml", Yaml(url));

        var (exit, output) = await GenlabProcess.RunAsync(["run", yaml, "--results", _results], Environment());

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("HTTP 404 (Not Found)", output);
        Assert.Contains($"url:   {url}", output);
        Assert.False(AnyRunFolder());
        Assert.Empty(Directory.Exists(_cache) ? Directory.GetFiles(_cache, "*", SearchOption.AllDirectories) : []);
    }


    [Fact]
    public async Task Genlab_CtrlCMidDownload_Exits130AndCachesNothing()
    {
        if (OperatingSystem.IsWindows()) return;        // no SIGINT to send
        using var server = new LocalHttpServer(_ => Reply.Ok(Text) with { StallAfter = Text.Length / 2 });
        string yaml = _dir.Write("experiment.yaml", Yaml(server.Url("input.txt")));
        using var run = GenlabProcess.Start(["run", yaml, "--results", _results], Environment());
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        run.OutputDataReceived += (_, e) => { if (e.Data is { } line) output.Enqueue(line); };
        run.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output.Enqueue(line); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (server.Requests == 0 && DateTime.UtcNow < deadline && !run.HasExited) await Task.Delay(50);
        Assert.Equal(1, server.Requests);
        // Ctrl-C once the body is being written to its .part file and the server has gone quiet: mid-download.
        while (!PartFileExists() && DateTime.UtcNow < deadline && !run.HasExited) await Task.Delay(50);
        Assert.True(PartFileExists(), $"the download never opened its .part file:\n{string.Join("\n", output)}");
        await Task.Delay(300);
        Assert.Equal(0, Signals.Send(run.Id, 2));

        int exit = await GenlabProcess.ExitCodeOf(run);
        Assert.True(exit == ExitCodes.Interrupted, $"exit {exit}:\n{string.Join("\n", output)}");
        Assert.Empty(Directory.Exists(_cache) ? Directory.GetFiles(_cache, "*", SearchOption.AllDirectories) : []);
        Assert.False(AnyRunFolder());
    }

    private bool PartFileExists() =>
        Directory.Exists(_cache) && Directory.GetFiles(_cache, "*.part", SearchOption.AllDirectories).Length > 0;

    [Fact]
    public async Task Genlab_WhenADataDirHasTheText_RunsOfflineWithoutTheCache()
    {
        _dir.Write("shared/text.txt", Encoding.UTF8.GetString(Text));
        string yaml = _dir.Write("experiment.yaml", Yaml(LocalHttpServer.ClosedPortUrl("input.txt")));

        var (exit, output) = await GenlabProcess.RunAsync(
            ["run", yaml, "--results", _results, "--data-dir", Path.Combine(_dir.Root, "shared"), "--set", "training.steps=10"], Environment());

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.False(Directory.Exists(Path.Combine(_cache, "data")));    // GENLAB_CACHE itself holds the token ids
    }

    [Fact]
    public void Resume_OfARunThatFoundItsTextInADataFolder_FindsItAgainWithoutBeingTold()
    {
        string folder = Path.Combine(_dir.Root, "shared");
        _dir.Write("shared/text.txt", Encoding.UTF8.GetString(Text));
        string yaml = _dir.Write("experiment.yaml", Yaml(LocalHttpServer.ClosedPortUrl("input.txt")));
        var withFolder = new DataSearch([folder], _cache);
        using var stop = new CancellationTokenSource();
        var session = TinyExperiment.NewSession(HookLogger.CancelAfterEvaluation(10, stop));

        int exit = session.Execute(new RunRequest
        {
            Experiment = ExperimentLoader.Load(yaml, [], data: withFolder), ResultsRoot = _results, Data = withFolder,
        }, stop.Token);

        Assert.Equal(ExitCodes.Interrupted, exit);
        string run = session.Recorder!.Folder.Path;
        Assert.Equal([folder], RunInfo.Read(run).DataDirectories);
        var resumed = TinyExperiment.NewSession().Execute(
            new RunRequest { ResumeDirectory = run, Data = new DataSearch([], _cache) }, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, resumed);
        Assert.Equal(RunStatus.Completed, RunInfo.Read(run).Status);
        Assert.False(Directory.Exists(_cache));
    }
}
