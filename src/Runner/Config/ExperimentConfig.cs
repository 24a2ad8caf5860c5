using System.Runtime.Serialization;
using GenLab.Models.Configuration;
using GenLab.Runner.Expectations;

namespace GenLab.Runner.Config;

/// <summary>Experiment families. The YAML spelling is the snake_case name (<c>mlp_char</c>).</summary>
public enum ExperimentKind
{
    MlpChar,
    Tokenize,
    BpeSweep,
    ImagePatches,
    DrawerEncodings,
    [EnumMember(Value = "word2vec")] Word2Vec,
    Autoencoder,
    Vae,
    Gpt,
    GptFinetune,
    Diffusion,
    Sdedit,
    Inpainting,
    SuperResolution,
}

public enum DeviceChoice
{
    Auto,
    Cpu,
    Cuda,
}

/// <summary>The top of an experiment file. <see cref="Data"/> and <see cref="Model"/> are bound to the record types
/// that <see cref="ExperimentKinds"/> registers for <see cref="Kind"/>.</summary>
public sealed record ExperimentConfig : IValidatable
{
    public required string Name { get; init; }
    public required ExperimentKind Kind { get; init; }
    public string Description { get; init; } = "";
    public long Seed { get; init; } = 1337;
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>Bound to the kind's data record; may be left out when that record has no required keys.</summary>
    public object Data { get; init; } = null!;
    /// <summary>Bound to the kind's model record; may be left out when that record has no required keys.</summary>
    public object Model { get; init; } = null!;
    public TrainingConfig Training { get; init; } = new();
    public ReportConfig Report { get; init; } = new();
    /// <summary>Results the run must reproduce, by name (see <see cref="ResultCatalog"/>); a miss fails the run.
    /// <c>--set expect=null</c> drops them (a shortened run of a shipped experiment, say).</summary>
    public IReadOnlyDictionary<string, Expectation>? Expect { get; init; }

    public T DataAs<T>() => (T)Data;
    public T ModelAs<T>() => (T)Model;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
            yield return new ConfigIssue("name", "must not be empty");
        else if (Name is "." or ".." || Name.IndexOfAny(['/', '\\', ':']) >= 0 || Name.Contains("..")
                 || Name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            yield return new ConfigIssue("name",
                $"'{Name}' cannot name a folder under results/ (no path separators, '..', ':' or whitespace)");
        if (Seed < 0) yield return new ConfigIssue("seed", "must be >= 0");
        // Sections left out of the file are filled in after this check; they hold defaults that agree.
        if (Model is IValidatableWithData model && Data is not null)
            foreach (var issue in model.ValidateWithData(Data)) yield return issue;
        if (Expect is { Count: > 0 } && Model is not null && Data is not null)
        {
            var known = ResultCatalog.Of(this);
            foreach (string name in Expect.Keys.Where(k => !known.ContainsKey(k)))
                yield return new ConfigIssue($"expect.{name}", ConfigNames.Suggest(name, known.Keys) is { } near
                    ? $"a {ConfigNames.EnumSpelling(typeof(ExperimentKind), Kind)} experiment reports no result '{name}' (did you mean `{near}`?)"
                    : $"a {ConfigNames.EnumSpelling(typeof(ExperimentKind), Kind)} experiment reports no result '{name}' (it reports: {string.Join(", ", known.Keys)})");
        }
    }
}

public enum OptimizerKind
{
    [EnumMember(Value = "adamw")] AdamW,
    Sgd,
}

public enum LrSchedule
{
    Constant,
    Cosine,
    Linear,
}

/// <summary>The shared step-based training loop's settings (see <c>Trainer</c>).</summary>
public sealed record TrainingConfig : IValidatable
{
    [Max(10_000_000)]
    public int Steps { get; init; } = 1000;
    [Max(65_536)]
    public int BatchSize { get; init; } = 32;
    /// <summary>Micro-batches whose gradients add up to one optimizer step (effective batch = batch_size × this).</summary>
    [Max(1024)]
    public int GradAccumulation { get; init; } = 1;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double Lr { get; init; } = 1e-3;
    public double MinLr { get; init; } = 1e-4;
    public LrSchedule LrSchedule { get; init; } = LrSchedule.Cosine;
    [Max(10_000_000)]
    public int WarmupSteps { get; init; }
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    public double GradClip { get; init; } = 1.0;
    [Max(10_000_000)]
    public int EvalEvery { get; init; } = 100;
    [Max(100_000)]
    public int EvalBatches { get; init; } = 20;
    /// <summary>Batches of the last evaluation, whose validation loss is the run's <c>val_loss</c> result (nanoGPT's
    /// published numbers use 200); null: <see cref="EvalBatches"/>.</summary>
    [Max(100_000)]
    public int? FinalEvalBatches { get; init; }
    [Max(10_000_000)]
    public int LogEvery { get; init; } = 10;
    [Max(10_000_000)]
    public int CheckpointEvery { get; init; } = 500;
    /// <summary>How many of the newest checkpoints to keep (the best one and the one resumed from are kept too).</summary>
    [Max(1000)]
    public int KeepCheckpoints { get; init; } = 3;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Steps < 1) yield return new("steps", "must be >= 1");
        if (BatchSize < 1) yield return new("batch_size", "must be >= 1");
        if (GradAccumulation < 1) yield return new("grad_accumulation", "must be >= 1");
        if (!(Lr > 0) || double.IsInfinity(Lr)) yield return new("lr", "must be a positive number");
        if (MinLr < 0 || MinLr > Lr) yield return new("min_lr", $"must be between 0 and lr ({Lr})");
        if (WarmupSteps < 0 || WarmupSteps > Steps) yield return new("warmup_steps", $"must be between 0 and steps ({Steps})");
        if (WeightDecay < 0) yield return new("weight_decay", "must be >= 0");
        if (Beta1 is < 0 or >= 1) yield return new("beta1", "must be in [0, 1)");
        if (Beta2 is < 0 or >= 1) yield return new("beta2", "must be in [0, 1)");
        if (GradClip < 0) yield return new("grad_clip", "must be >= 0 (0 disables clipping)");
        if (EvalEvery < 1) yield return new("eval_every", "must be >= 1");
        if (EvalBatches < 1) yield return new("eval_batches", "must be >= 1");
        if (FinalEvalBatches < 1) yield return new("final_eval_batches", "must be >= 1 (or null: eval_batches)");
        if (LogEvery < 1) yield return new("log_every", "must be >= 1");
        if (CheckpointEvery < 1) yield return new("checkpoint_every", "must be >= 1");
        if (KeepCheckpoints < 1) yield return new("keep_checkpoints", "must be >= 1");
    }
}

public sealed record ReportConfig : IValidatable
{
    /// <summary>Exponential-moving-average factor for the smoothed loss curves (0 = no smoothing).</summary>
    public double Smoothing { get; init; } = 0.9;
    /// <summary>Generated samples written at every evaluation.</summary>
    [Max(1000)]
    public int Samples { get; init; } = 8;
    public double SampleTemperature { get; init; } = 1.0;
    [Max(100_000)]
    public int SampleMaxLength { get; init; } = 40;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Smoothing is < 0 or >= 1) yield return new("smoothing", "must be in [0, 1)");
        if (Samples < 0) yield return new("samples", "must be >= 0");
        if (!(SampleTemperature > 0)) yield return new("sample_temperature", "must be > 0");
        if (SampleMaxLength < 1) yield return new("sample_max_length", "must be >= 1");
    }
}
