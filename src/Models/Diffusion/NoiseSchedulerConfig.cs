using System.Runtime.Serialization;
using GenLab.Models.Configuration;

namespace GenLab.Models.Diffusion;

/// <summary>How β_t grows over the diffusion steps t = 0 … T−1.</summary>
public enum BetaSchedule
{
    /// <summary>Ho et al. (2020) §4: β_t evenly spaced from beta_start to beta_end.</summary>
    Linear,
    /// <summary>Nichol &amp; Dhariwal (2021) eq. 17 "cosine" schedule: ᾱ(s) = cos²((s + 0.008) / 1.008 · π/2) for
    /// s = t/T, β_t = min(1 − ᾱ((t+1)/T) / ᾱ(t/T), 0.999). diffusers' name, which YAML uses too.</summary>
    [EnumMember(Value = "squaredcos_cap_v2")] SquaredCosCapV2,
}

/// <summary>The forward (noising) process of a diffusion model and how its reverse is sampled, named as diffusers'
/// <c>DDPMScheduler</c>/<c>DDIMScheduler</c> and with their defaults (Ho et al. 2020's T = 1000, linear β from
/// 1e-4 to 0.02). The network always predicts the noise ε (diffusers' <c>prediction_type: epsilon</c>); predicting
/// x₀ or v is not offered.</summary>
public sealed record NoiseSchedulerConfig : IValidatable
{
    /// <summary>T: the number of noising steps the network is trained on; timesteps run 0 … T−1.</summary>
    [Max(100_000)]
    public int TrainTimesteps { get; init; } = 1000;
    /// <summary>β₀ of the linear schedule (unused by squaredcos_cap_v2).</summary>
    public double BetaStart { get; init; } = 1e-4;
    /// <summary>β_{T−1} of the linear schedule (unused by squaredcos_cap_v2).</summary>
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    /// <summary>Clamp each step's predicted x₀ to [−clip_sample_range, clip_sample_range]; images live in [−1, 1],
    /// and early predictions from pure noise can be far outside it.</summary>
    public bool ClipSample { get; init; } = true;
    public double ClipSampleRange { get; init; } = 1.0;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (TrainTimesteps < 1) yield return new("train_timesteps", "must be >= 1");
        if (!Enum.IsDefined(BetaSchedule))
            yield return new("beta_schedule", $"unknown schedule {BetaSchedule}; use linear or squaredcos_cap_v2");
        if (BetaStart is not (> 0 and < 1)) yield return new("beta_start", "must be in (0, 1)");
        if (BetaEnd is not (> 0 and < 1)) yield return new("beta_end", "must be in (0, 1)");
        else if (BetaStart > BetaEnd)
            yield return new("beta_end", $"beta_end {BetaEnd} is smaller than beta_start {BetaStart}");
        if (ClipSampleRange is not > 0 || double.IsInfinity(ClipSampleRange))
            yield return new("clip_sample_range", "must be a finite number > 0");
    }
}
