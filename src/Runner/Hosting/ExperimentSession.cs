using GenLab.Reports;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Experiments;
using GenLab.Runner.Expectations;
using GenLab.Runner.Runs;
using GenLab.Runner.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace GenLab.Runner.Hosting;

/// <summary>Runs one experiment start to finish: claims the run folder, keeps run.json true, trains through the
/// shared <see cref="Trainer"/>, regenerates the report. Independent of the host so tests can drive it directly.</summary>
public sealed class ExperimentSession(ILogger<ExperimentSession> logger, RunLogFile logFile)
{
    /// <summary>The run in progress, for the hard-stop path (a second Ctrl-C) to mark it interrupted.</summary>
    public RunRecorder? Recorder { get; private set; }

    public int Execute(RunRequest request, CancellationToken stop)
    {
        try
        {
            return request.ResumeDirectory is { } dir ? Resume(dir, request, stop) : Start(request, stop);
        }
        catch (DataUnavailableException e)
        {
            // Several lines that say what to do (how to place the file by hand): printed as they are, not folded into
            // one log line.
            Console.Error.WriteLine($"error: {e.Message}");
            Recorder?.Finish(RunStatus.Failed, e.Message);
            return ExitCodes.BadInput;
        }
        // Impossible values that only show once data meets config (too few BPE pairs, a corpus of one line) arrive as
        // ArgumentException from the models: bad input too, reported by message, not stack trace.
        catch (Exception e) when (e is ConfigException or DeviceUnavailableException or InvalidDataException or FileNotFoundException
                                       or DirectoryNotFoundException or ArgumentException)
        {
            logger.LogError("{Message}", e.Message);
            Recorder?.Finish(RunStatus.Failed, e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            logger.LogError(e, "run failed: {Message}", e.Message);
            Recorder?.Finish(RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    private int Start(RunRequest request, CancellationToken stop)
    {
        var loaded = request.Experiment ?? throw new ArgumentException("a new run needs an experiment", nameof(request));
        var config = loaded.Config;
        Device device = DeviceSelection.Resolve(config.Device);
        CpuThreads.Apply();
        string workingDirectory = Directory.GetCurrentDirectory();
        if (!EnsureData(loaded, request.Data, stop)) return ExitCodes.Interrupted;

        // Build the experiment before claiming a folder: data and shape errors then leave no empty run behind.
        manual_seed(config.Seed);
        bool trainable = ExperimentKinds.IsTrainable(config.Kind);
        var context = new ExperimentContext(request.ResultsRoot, workingDirectory, Log: logger);
        using var experiment = trainable ? ExperimentFactory.Create(config, device, context) : null;
        var analysis = trainable ? null : ExperimentFactory.CreateAnalysis(config, device, context);
        using var analysisResources = analysis as IDisposable;

        var startedUtc = DateTimeOffset.UtcNow;
        var folder = RunFolder.Create(request.ResultsRoot, config.Name, loaded.ConfigHash, startedUtc);
        File.WriteAllText(folder.ExperimentYaml, loaded.ResolvedYaml);
        logFile.Open(folder.Log);
        Recorder = new RunRecorder(folder, new RunInfo
        {
            Name = config.Name,
            Kind = ConfigNames.EnumSpelling(typeof(ExperimentKind), config.Kind),
            RunId = folder.RunId,
            Status = RunStatus.Running,
            StartedUtc = startedUtc,
            CommandLine = request.CommandLine,
            WorkingDirectory = workingDirectory,
            Seed = config.Seed,
            DeviceRequested = config.Device.ToString().ToLowerInvariant(),
            Device = device.type.ToString().ToLowerInvariant(),
            TotalSteps = trainable ? config.Training.Steps : 0,
            Git = RunEnvironment.Git(workingDirectory),
            Environment = RunEnvironment.Capture(device.type.ToString().ToLowerInvariant()),
            InputHashes = InputFingerprint.Compute(loaded, request.ResultsRoot),
            DataDirectories = loaded.NamedData.Count > 0 ? request.Data.Directories : null,
            ProcessId = Environment.ProcessId,
        });
        Recorder.Update(r => r);
        logger.LogInformation("run {RunId} of {Name} ({Kind}) on {Device} ({Threads} CPU threads), seed {Seed}: {Path}",
            folder.RunId, config.Name, ConfigNames.EnumSpelling(typeof(ExperimentKind), config.Kind), device.type, get_num_threads(),
            config.Seed, folder.Path);
        return experiment is not null ? Train(loaded, experiment, resumeFrom: null, stop) : Analyse(loaded, analysis!, stop);
    }

    /// <summary>Verifies the data the experiment names by URL, fetching what is missing into the cache, before anything
    /// is built or a run folder claimed: a wrong or unreachable file then leaves no run behind.</summary>
    /// <returns>False when Ctrl-C stopped a fetch; nothing was cached.</returns>
    private bool EnsureData(LoadedExperiment loaded, DataSearch search, CancellationToken stop)
    {
        if (loaded.NamedData.Count == 0) return true;
        try
        {
            // The session runs on its own thread (ExperimentHostedService), so blocking on the fetch is safe.
            new DataFetcher(search, logger, ConsoleOutput.IsInteractive).EnsureAsync(loaded.NamedData, stop).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogWarning("interrupted while fetching data; nothing was cached");
            return false;
        }
    }

    private int Analyse(LoadedExperiment loaded, IAnalysisExperiment analysis, CancellationToken stop)
    {
        var recorder = Recorder!;
        IReadOnlyDictionary<string, double> values = new Dictionary<string, double>();
        try { values = analysis.Run(recorder.Folder, logger, stop); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        if (stop.IsCancellationRequested)
        {
            recorder.Finish(RunStatus.Interrupted, "stopped by a signal before the analysis finished; run it again");
            return ExitCodes.Interrupted;
        }
        return Conclude(loaded, values, $"completed {loaded.Config.Name}");
    }

    /// <summary>Checks the run's results against its <c>expect:</c> section, writes results.json and the report, and
    /// marks the run completed, or failed (exit code 1) when a stated result is not reproduced — the results are
    /// written either way, and the report's "Expectations" section shows which one missed.</summary>
    private int Conclude(LoadedExperiment loaded, IReadOnlyDictionary<string, double> values, string completed)
    {
        var recorder = Recorder!;
        var results = RunResults.Check(loaded.Config, values);
        results.Write(recorder.Folder.Path);
        foreach (var e in results.Expectations)
            logger.LogInformation("{Mark} {Outcome}", e.Passed ? "✓" : "✗", e.Describe());
        if (!results.Passed)
        {
            string message = "not reproduced: " + string.Join("; ", results.Failed.Select(e => e.Describe()));
            logger.LogError("{Message}", message);
            recorder.Finish(RunStatus.Failed, message);
            WriteReport(loaded, recorder.Folder.Path);
            return ExitCodes.Failed;
        }
        recorder.Finish(RunStatus.Completed);
        WriteReport(loaded, recorder.Folder.Path);
        logger.LogInformation("{Completed}; report: {Report}", completed, Path.Combine(recorder.Folder.Report, "index.html"));
        return ExitCodes.Ok;
    }

    private int Resume(string runDirectory, RunRequest request, CancellationToken stop)
    {
        var folder = RunFolder.Open(runDirectory);
        var info = RunInfo.Read(folder.Path);
        if (info.Status == RunStatus.Completed)
        {
            logger.LogInformation("{Run} already completed at step {Step}; nothing to resume", folder.Path, info.Step);
            return ExitCodes.Ok;
        }
        // The folders the run found its data in are searched too, so a resume needs no --data-dir.
        var data = request.Data.With(info.DataDirectories ?? []);
        var loaded = ExperimentLoader.Load(folder.ExperimentYaml, [], info.WorkingDirectory, data: data);
        if (!ExperimentKinds.IsTrainable(loaded.Config.Kind))
            throw new InvalidDataException($"{folder.Path}: a '{info.Kind}' run has no checkpoints to resume; run its experiment again");
        string resultsRoot = Path.GetDirectoryName(Path.GetDirectoryName(folder.Path))!;
        var current = InputFingerprint.Compute(loaded, resultsRoot);
        var changes = InputFingerprint.ResumeChanges(info.InputHashes, folder.ExperimentYaml, current);
        if (changes.Count > 0 && !request.AllowChanged)
            throw new InvalidDataException($"{folder.Path}: {string.Join(", ", changes)} since the run started; its numbers would "
                + "come from two sets of inputs. Start a new run, or resume with --allow-changed to continue anyway (the run is then marked changed)");
        if (changes.Count > 0) logger.LogWarning("resuming with changed inputs ({Changes}); the run is marked changed", string.Join(", ", changes));
        Device device = DeviceSelection.Resolve(loaded.Config.Device);
        CpuThreads.Apply();
        if (!EnsureData(loaded, data, stop)) return ExitCodes.Interrupted;
        logFile.Open(folder.Log);

        var checkpoint = new CheckpointStore(folder.Checkpoints).NewestValid(w => logger.LogWarning("{Warning}", w));
        long from = checkpoint?.Step ?? 0;
        if (checkpoint is null) logger.LogWarning("no valid checkpoint in {Run}: starting again from step 0", folder.Path);
        int moved = MetricsLog.TruncateAfter(folder.Metrics, checkpoint is null ? -1 : from);
        SamplesLog.TruncateAfter(folder.Samples, checkpoint is null ? -1 : from);
        if (moved > 0) logger.LogInformation("{Rows} metric rows after step {Step} moved to metrics.csv.discarded", moved, from);

        manual_seed(loaded.Config.Seed);
        using var experiment = ExperimentFactory.Create(loaded.Config, device,
            new ExperimentContext(resultsRoot, info.WorkingDirectory, checkpoint, logger));
        Recorder = new RunRecorder(folder, info);
        Recorder.Update(r => r with
        {
            Status = RunStatus.Running,
            EndedUtc = null,
            Error = null,
            Step = from,
            ProcessId = Environment.ProcessId,
            CommandLine = [.. r.CommandLine, "&&", .. request.CommandLine],
            ResumedFrom = checkpoint is null ? r.ResumedFrom : [.. r.ResumedFrom, Path.GetRelativePath(folder.Path, checkpoint.Path)],
            InputHashes = changes.Count > 0 ? InputFingerprint.Resumed(r.InputHashes, folder.ExperimentYaml, current) : r.InputHashes,
            ChangedInputs = changes.Count > 0 ? [.. r.ChangedInputs ?? [], $"step {from}: {string.Join(", ", changes)}"] : r.ChangedInputs,
        });
        logger.LogInformation("resuming {Run} from step {Step}", folder.Path, from);
        return Train(loaded, experiment, checkpoint, stop);
    }

    private int Train(LoadedExperiment loaded, ITrainableExperiment experiment, Checkpoint? resumeFrom, CancellationToken stop)
    {
        var recorder = Recorder!;
        var trainer = new Trainer(loaded.Config, experiment, recorder, logger, dir => WriteReport(loaded, dir));
        TrainingOutcome outcome;
        try { outcome = trainer.Run(resumeFrom, stop); }
        catch (TrainingDivergedException e)
        {
            // One screen, no stack trace: the message says where the NaN appeared. The report shows the curve up to it.
            logger.LogError("run failed: {Message}", e.Message);
            recorder.Finish(RunStatus.Failed, e.Message);
            WriteReport(loaded, recorder.Folder.Path);
            return ExitCodes.Failed;
        }
        if (outcome == TrainingOutcome.Interrupted)
        {
            recorder.Finish(RunStatus.Interrupted, "stopped by a signal; continue with `resume`");
            WriteReport(loaded, recorder.Folder.Path);
            logger.LogWarning("interrupted at step {Step}; resume with: genlab resume {Path}", recorder.Current.Step, recorder.Folder.Path);
            return ExitCodes.Interrupted;
        }
        LogSamples(recorder.Folder.Samples);
        var values = new Dictionary<string, double>(TrainingResults(recorder.Folder.Metrics));
        foreach (var (name, value) in experiment.Results(recorder.Folder.Path)) values[name] = value;
        return Conclude(loaded, values, FormattableString.Invariant(
            $"completed {loaded.Config.Name}: best val loss {recorder.Current.Best?.Value:F4} at step {recorder.Current.Best?.Step}"));
    }

    /// <summary>What the model makes at the end, on the console as in the report (the quickstart's invented names):
    /// one bullet per sample, a sample's own line breaks kept and indented under it.</summary>
    private void LogSamples(string samplesPath)
    {
        if (SamplesLog.Last(samplesPath) is not { Texts.Count: > 0 } last) return;
        var lines = last.Texts.Select(t => "• " + t.TrimEnd().ReplaceLineEndings("\n  "));
        logger.LogInformation("{Samples}", $"samples at step {last.Step}:\n" + string.Join("\n", lines));
    }

    /// <summary>The shared loop's results (see <see cref="ResultCatalog.Training"/>) from the run's validation losses.</summary>
    private static Dictionary<string, double> TrainingResults(string metricsPath)
    {
        var val = MetricsCsv.Read(metricsPath).Where(r => r.Split == "val" && r.Metric == "loss").OrderBy(r => r.Step).ToList();
        if (val.Count == 0) return [];
        var results = new Dictionary<string, double>
        {
            ["val_loss"] = val[^1].Value,
            ["best_val_loss"] = val.Min(r => r.Value),
        };
        if (val[0].Step == 0) results["initial_val_loss"] = val[0].Value;
        return results;
    }

    private void WriteReport(LoadedExperiment loaded, string runDirectory)
    {
        try { RunReport.Write(runDirectory, new ReportOptions { Smoothing = loaded.Config.Report.Smoothing }); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning("report not written: {Message}", e.Message);
        }
    }
}
