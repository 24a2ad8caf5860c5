using System.Diagnostics;
using System.Runtime.InteropServices;
using GenLab.Models.Data;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Export;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Runner.Training;

public enum TrainingOutcome { Completed, Interrupted }

/// <summary>The one step-based loop every trainable experiment kind shares: schedule, optimizer step, evaluation,
/// samples, checkpoints, resume and interruption. Each training step, evaluation and sampling call runs inside its
/// own dispose scope, so native memory stays flat however long the run.</summary>
public sealed class Trainer(
    ExperimentConfig config,
    ITrainableExperiment experiment,
    RunRecorder recorder,
    ILogger logger,
    Action<string> regenerateReport)
{
    private const string ModelFile = "model.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string TorchRngFile = "torch_rng.bin";
    private const int MallocTrimEvery = 50;

    private RunFolder Folder => recorder.Folder;

    public TrainingOutcome Run(Checkpoint? resumeFrom, CancellationToken stop)
    {
        TrainingConfig t = config.Training;
        var store = new CheckpointStore(Folder.Checkpoints);
        var batches = SplitMix64.ForPurpose(config.Seed, "batches");
        long step = 0;
        double elapsedBefore = 0;
        double? lastValLoss = null;
        BestMetric? best = null;

        if (resumeFrom is not null)
        {
            experiment.Model.load(resumeFrom.File(ModelFile));
            step = resumeFrom.Step;
            batches.State = resumeFrom.State.BatchRngState;
            elapsedBefore = resumeFrom.State.ElapsedSeconds;
            lastValLoss = resumeFrom.State.ValLoss;
            best = resumeFrom.State.Best;
            using var rng = tensor(File.ReadAllBytes(resumeFrom.File(TorchRngFile)));
            torch.set_rng_state(rng);
        }

        using var optimizer = new FlatOptimizer(experiment.Model, t);
        if (resumeFrom is not null) optimizer.Load(resumeFrom.File(OptimizerFile));
        experiment.Model.train();

        using var metrics = new MetricsLog(Folder.Metrics);
        var clock = Stopwatch.StartNew();
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        var progress = new TrainingProgress(logger, config.Name, t.Steps, step, ConsoleOutput.IsInteractive, Elapsed);

        void EvaluateAt(long atStep)
        {
            using (var scope = NewDisposeScope())
            {
                using var _ = no_grad();
                experiment.Model.eval();
                int evalBatches = atStep == t.Steps ? t.FinalEvalBatches ?? t.EvalBatches : t.EvalBatches;
                foreach (var (split, metric, value) in experiment.Evaluate(evalBatches, t.BatchSize))
                {
                    if (metric == "loss" && !double.IsFinite(value))
                        throw new TrainingDivergedException($"step {atStep}: the {split} loss is {value}; "
                            + (optimizer.FirstNonFinite(gradients: false) is { } w ? $"first non-finite weight: {w}" : "every weight is finite (a kernel produced it in the forward pass)")
                            + "; no checkpoint was written for this step");
                    metrics.Add(new MetricRow(atStep, split, metric, value, Elapsed()));
                    if (split == "val" && metric == "loss")
                    {
                        lastValLoss = value;
                        if (best is null || value < best.Value) best = new BestMetric(split, metric, value, atStep);
                    }
                }
                experiment.Model.train();
            }
            if (config.Report.Samples > 0)
            {
                var texts = experiment.Sample(config.Report.Samples, config.Report.SampleMaxLength,
                    config.Report.SampleTemperature, config.Seed + atStep);
                SamplesLog.Append(Folder.Samples, atStep, texts);
            }
            metrics.Flush();
            logger.LogInformation("step {Step}: val loss {Val:F4} (best {Best:F4} at step {BestStep})",
                atStep, lastValLoss, best?.Value, best?.Step);
            recorder.Update(r => r with { Step = atStep, Best = best });
        }

        void CheckpointAt(long atStep)
        {
            metrics.Flush();
            var state = new TrainingState
            {
                Step = atStep, BatchRngState = batches.State, ElapsedSeconds = Elapsed(),
                ValLoss = lastValLoss, Best = best,
            };
            var written = store.Write(state, dir =>
            {
                experiment.Model.save(Path.Combine(dir, ModelFile));
                if (ModelManifest.CanDescribe(experiment.Model))                   // rebuilds the network without data
                    ModelManifest.Write(Path.Combine(dir, ModelManifest.FileName), experiment.Model);
                optimizer.Save(Path.Combine(dir, OptimizerFile));
                using var rng = torch.get_rng_state();
                File.WriteAllBytes(Path.Combine(dir, TorchRngFile), rng.bytes.ToArray());
                File.Copy(Folder.ExperimentYaml, Path.Combine(dir, RunFiles.Experiment));
                experiment.SaveArtifacts(dir);
            });
            store.Prune(t.KeepCheckpoints, recorder.Current.ResumedFrom.Select(p => Path.Combine(Folder.Path, p)));
            recorder.Update(r => r with { Step = atStep, Best = best });
            logger.LogInformation("checkpoint {Checkpoint}", Path.GetRelativePath(Folder.Path, written.Path));
            if (experiment is IWritesReportSections sections)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                experiment.Model.eval();
                sections.WriteSections(Folder.Path, atStep);
                experiment.Model.train();
            }
            regenerateReport(Folder.Path);
        }

        if (step == 0) EvaluateAt(0);

        long tokensPerBatch = experiment.TokensPerBatch(t.BatchSize) * t.GradAccumulation;
        // Throughput counts training time only: evaluation, sampling and checkpoints between two log points would
        // otherwise make steps/s swing with where the window falls.
        var stepClock = new Stopwatch();
        double windowSeconds = 0;
        long windowStart = step;
        while (step < t.Steps)
        {
            if (stop.IsCancellationRequested)
            {
                progress.Clear();
                logger.LogWarning("stop requested: checkpointing step {Step} and exiting", step);
                CheckpointAt(step);
                return TrainingOutcome.Interrupted;
            }

            stepClock.Restart();
            double lr = LearningRateSchedule.At(t, step);
            optimizer.LearningRate = lr;
            float loss = 0;
            ulong batchState = batches.State;                  // to draw this step's batch again if it goes wrong
            optimizer.ZeroGrad();
            for (int micro = 0; micro < t.GradAccumulation; micro++)
            {
                // Each micro-batch in its own scope: its activations are freed once its gradients are added.
                using var scope = NewDisposeScope();
                var lossTensor = experiment.TrainingLoss(batches, t.BatchSize);                        // ()
                if (t.GradAccumulation > 1) lossTensor /= t.GradAccumulation;
                lossTensor.backward();
                loss += lossTensor.ToSingle();
            }
            // Nothing non-finite reaches the weights, the EMA, a checkpoint or run.json: the step stops the run first.
            if (!float.IsFinite(loss)) throw Diverged(step + 1, $"the training loss is {loss}", optimizer, batchState);
            double norm = optimizer.Step(t.GradClip);
            if (!double.IsFinite(norm)) throw Diverged(step + 1, $"the gradient norm is {norm} (training loss {loss})", optimizer, batchState);
            if (!optimizer.ParametersFinite())
                throw Diverged(step + 1, $"the update made a weight non-finite (training loss {loss}, gradient norm {norm:G4})", optimizer, batchState);
            step++;
            if (experiment is IUpdatesAfterStep follower)
                using (var scope = NewDisposeScope()) follower.AfterStep(step);
            double stepSeconds = stepClock.Elapsed.TotalSeconds;
            windowSeconds += stepSeconds;
            progress.Step(step, loss, stepSeconds);

            if (step % t.LogEvery == 0 || step == t.Steps)
            {
                double stepsPerSecond = windowSeconds > 0 ? (step - windowStart) / windowSeconds : 0;
                metrics.Add(new MetricRow(step, "train", "loss", loss, Elapsed()));
                metrics.Add(new MetricRow(step, "train", "lr", lr, Elapsed()));
                metrics.Add(new MetricRow(step, "perf", "steps_per_s", stepsPerSecond, Elapsed()));
                metrics.Add(new MetricRow(step, "perf", "tokens_per_s", stepsPerSecond * tokensPerBatch, Elapsed()));
                metrics.Add(new MetricRow(step, "perf", "rss_mb", Environment.WorkingSet / 1e6, Elapsed()));
                windowSeconds = 0;
                windowStart = step;
            }
            if (step % t.EvalEvery == 0 || step == t.Steps) EvaluateAt(step);
            if (step % t.CheckpointEvery == 0 || step == t.Steps) CheckpointAt(step);
            if (step % MallocTrimEvery == 0) ReleaseFreedNativeMemory();
        }
        return TrainingOutcome.Completed;
    }

    /// <summary>What went non-finite at <paramref name="step"/>, and where: the first parameter (in the model's order)
    /// with a non-finite gradient or value, and whether the batch itself held any. The update was not applied
    /// unless the weights themselves went non-finite; either way no checkpoint is written after it.</summary>
    private TrainingDivergedException Diverged(long step, string what, FlatOptimizer optimizer, ulong batchState)
    {
        string gradient = optimizer.FirstNonFinite(gradients: true) is { } g ? $"first non-finite gradient: {g}" : "every gradient is finite";
        string weight = optimizer.FirstNonFinite(gradients: false) is { } w ? $"first non-finite weight: {w}" : "every weight is finite";
        var replay = new SplitMix64(0) { State = batchState };
        bool batchBad;
        using (NewDisposeScope()) batchBad = experiment.BatchHasNonFinite(replay, config.Training.BatchSize);
        string batch = batchBad ? "the batch itself holds NaN or ±Infinity (bad input data)" : "the batch itself is finite";
        return new TrainingDivergedException(
            $"step {step}: {what}; {gradient}; {weight}; {batch}. The run stopped before the step was applied to a "
            + "checkpoint; the last checkpoint is intact. Try a lower training.lr or training.grad_clip > 0; if the "
            + "batch is finite and the loss was finite at the previous step, suspect a kernel (see README, 'NaN').");
    }

    /// <summary>glibc keeps freed native blocks in its arenas, so resident memory creeps although live tensors stay
    /// constant (measured in ../shared/notes/torchsharp-on-debian12.md); malloc_trim returns them to the OS.</summary>
    private static void ReleaseFreedNativeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (EntryPointNotFoundException) { }        // musl has no malloc_trim
        catch (DllNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
