using System.Collections.ObjectModel;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

/// <summary>The diffusion process itself, independent of the network, as diffusers' <c>DDPMScheduler</c> and
/// <c>DDIMScheduler</c>: the noise schedule β_t (precomputed once, in double precision), the forward process
/// q(x_t | x₀) used for training, and one reverse step of DDPM (Ho et al. 2020) or DDIM (Song et al. 2021) given the
/// network's noise prediction ε_θ(x_t, t). Equation numbers refer to those papers; DDIM writes α_t for DDPM's ᾱ_t,
/// here it is always ᾱ_t = ∏_{s ≤ t} (1 − β_s).
/// <para>Timesteps are 0-based as in diffusers: t = 0 is the least noisy step, T−1 the noisiest, and "x_{t−1}" at
/// t = 0 is the clean sample (ᾱ_{−1} = 1). Shapes: B = batch, then any sample dimensions, e.g. (B, C, H, W).
/// Inputs are never disposed; results belong to the caller.</para></summary>
public sealed class NoiseScheduler
{
    private readonly double[] betas;
    private readonly double[] alphas;
    private readonly double[] alphasCumprod;

    public NoiseScheduler(NoiseSchedulerConfig config)
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        Config = config;
        betas = config.BetaSchedule switch
        {
            BetaSchedule.Linear => LinearBetas(config.TrainTimesteps, config.BetaStart, config.BetaEnd),
            BetaSchedule.SquaredCosCapV2 => CosineBetas(config.TrainTimesteps),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.BetaSchedule, "unknown beta_schedule"),
        };
        alphas = betas.Select(b => 1 - b).ToArray();
        alphasCumprod = new double[alphas.Length];
        double product = 1;
        for (int t = 0; t < alphas.Length; t++) alphasCumprod[t] = product *= alphas[t];
        Betas = Array.AsReadOnly(betas);
        Alphas = Array.AsReadOnly(alphas);
        AlphasCumprod = Array.AsReadOnly(alphasCumprod);
    }

    public NoiseSchedulerConfig Config { get; }
    /// <summary>T: timesteps run 0 … T−1.</summary>
    public int TrainTimesteps => Config.TrainTimesteps;
    /// <summary>β_t, the variance of the noise added at step t (DDPM eq. 2).</summary>
    public ReadOnlyCollection<double> Betas { get; }
    /// <summary>α_t = 1 − β_t.</summary>
    public ReadOnlyCollection<double> Alphas { get; }
    /// <summary>ᾱ_t = ∏_{s ≤ t} α_s: how much of x₀'s signal power survives in x_t (DDPM eq. 4).</summary>
    public ReadOnlyCollection<double> AlphasCumprod { get; }

    /// <summary>SNR(t) = ᾱ_t / (1 − ᾱ_t), the signal-to-noise ratio of x_t (Kingma et al. 2021); plot it on a log
    /// scale to compare schedules.</summary>
    public double SignalToNoise(int t)
    {
        CheckTimestep(t, nameof(t));
        return alphasCumprod[t] / (1 - alphasCumprod[t]);
    }

    /// <summary>Samples the forward process in one jump, DDPM eq. 4: x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε, each sample of the
    /// batch at its own timestep.</summary>
    /// <param name="x0">(B, …) clean samples.</param>
    /// <param name="noise">(B, …) ε ~ N(0, I), same shape as <paramref name="x0"/>.</param>
    /// <param name="timesteps">(B) integer timesteps in [0, T).</param>
    /// <returns>(B, …) x_t, in <paramref name="x0"/>'s dtype and on its device.</returns>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor timesteps)
    {
        CheckSameShape(noise, x0, nameof(noise), nameof(x0));
        if (timesteps.dim() != 1 || timesteps.shape[0] != x0.shape[0])
            throw new ArgumentException(
                $"timesteps must have shape ({x0.shape[0]}), one per sample, got ({Shape(timesteps)})", nameof(timesteps));
        if (!is_integral(timesteps.dtype) || timesteps.dtype == ScalarType.Bool)
            throw new ArgumentException($"timesteps must be integers, got {timesteps.dtype}", nameof(timesteps));

        using var scope = NewDisposeScope();
        long[] ts = timesteps.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var signal = new double[ts.Length];
        var noiseScale = new double[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            if (ts[i] < 0 || ts[i] >= TrainTimesteps)
                throw new ArgumentOutOfRangeException(nameof(timesteps), ts[i],
                    $"timesteps[{i}] = {ts[i]} is outside [0, {TrainTimesteps})");
            signal[i] = Math.Sqrt(alphasCumprod[ts[i]]);
            noiseScale[i] = Math.Sqrt(1 - alphasCumprod[ts[i]]);
        }
        // (B) → (B, 1, …, 1) so each coefficient scales its own sample.
        var broadcast = new long[x0.dim()];
        Array.Fill(broadcast, 1L);
        broadcast[0] = ts.Length;
        var a = tensor(signal, x0.dtype, x0.device).view(broadcast);          // (B, 1, …)
        var s = tensor(noiseScale, x0.dtype, x0.device).view(broadcast);      // (B, 1, …)
        return (a * x0 + s * noise).MoveToOuterDisposeScope();                 // (B, …)
    }

    /// <summary>The clean sample implied by a noise prediction, DDPM eq. 15: x̂₀ = (x_t − √(1 − ᾱ_t) · ε) / √ᾱ_t,
    /// clamped to ±clip_sample_range when clip_sample is on.</summary>
    /// <param name="epsilon">(B, …) ε_θ(x_t, t).</param>
    /// <param name="xt">(B, …) x_t.</param>
    /// <returns>(B, …) x̂₀.</returns>
    public Tensor PredictX0(Tensor epsilon, int t, Tensor xt)
    {
        CheckTimestep(t, nameof(t));
        CheckSameShape(epsilon, xt, nameof(epsilon), nameof(xt));
        using var scope = NewDisposeScope();
        var x0 = (xt - Math.Sqrt(1 - alphasCumprod[t]) * epsilon) / Math.Sqrt(alphasCumprod[t]);   // (B, …)
        if (Config.ClipSample) x0 = x0.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);
        return x0.MoveToOuterDisposeScope();
    }

    /// <summary>One ancestral DDPM step x_t → x_{t−1} (Ho et al. 2020, Algorithm 2), drawing z ~ N(0, I) from
    /// <paramref name="generator"/> when t &gt; 0 (at t = 0 nothing is drawn).</summary>
    /// <param name="epsilon">(B, …) ε_θ(x_t, t).</param>
    /// <param name="t">Current timestep in [0, T).</param>
    /// <param name="xt">(B, …) x_t.</param>
    /// <returns>(B, …) x_{t−1}.</returns>
    public Tensor Step(Tensor epsilon, int t, Tensor xt, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return DdpmStep(epsilon, t, xt, generator, null);
    }

    /// <summary><see cref="Step(Tensor, int, Tensor, Generator)"/> with the noise z given instead of drawn (ignored
    /// at t = 0), as diffusers' <c>variance_noise</c>.</summary>
    /// <param name="noise">(B, …) z, same shape as <paramref name="xt"/>.</param>
    public Tensor Step(Tensor epsilon, int t, Tensor xt, Tensor noise)
    {
        CheckSameShape(noise, xt, nameof(noise), nameof(xt));
        return DdpmStep(epsilon, t, xt, null, noise);
    }

    private Tensor DdpmStep(Tensor epsilon, int t, Tensor xt, Generator? generator, Tensor? noise)
    {
        CheckTimestep(t, nameof(t));
        CheckSameShape(epsilon, xt, nameof(epsilon), nameof(xt));
        using var scope = NewDisposeScope();

        // 1. ᾱ_t and ᾱ_{t−1}; before the first step nothing has been noised, so ᾱ_{−1} = 1.
        double alphaBar = alphasCumprod[t];
        double alphaBarPrev = t > 0 ? alphasCumprod[t - 1] : 1.0;

        // 2. x̂₀ from the noise prediction, eq. 15, clipped as configured.
        var x0 = PredictX0(epsilon, t, xt);                                   // (B, …)

        // 3. Mean of the posterior q(x_{t−1} | x_t, x₀), eq. 7:
        //    μ̃_t = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x̂₀ + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t
        double x0Coefficient = Math.Sqrt(alphaBarPrev) * betas[t] / (1 - alphaBar);
        double xtCoefficient = Math.Sqrt(alphas[t]) * (1 - alphaBarPrev) / (1 - alphaBar);
        var mean = x0Coefficient * x0 + xtCoefficient * xt;                   // (B, …)
        if (t == 0) return mean.MoveToOuterDisposeScope();                    // x₀: Algorithm 2 adds no noise at the end

        // 4. Add σ_t z with σ_t² = β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t, eq. 7 (diffusers' "fixed_small" variance,
        //    clamped at 1e-20 as diffusers does).
        double variance = Math.Max((1 - alphaBarPrev) / (1 - alphaBar) * betas[t], 1e-20);
        var z = noise ?? DrawNoise(xt, generator!);                           // (B, …)
        return (mean + Math.Sqrt(variance) * z).MoveToOuterDisposeScope();    // (B, …)
    }

    /// <summary>One DDIM step x_t → x_{prevT} (Song et al. 2021 eq. 12). <paramref name="eta"/> = 0 is the
    /// deterministic DDIM sampler; <paramref name="eta"/> = 1 with prevT = t − 1 is exactly the DDPM step.
    /// Noise is drawn from <paramref name="generator"/> only when <paramref name="eta"/> &gt; 0 (as diffusers, also on
    /// the last step, where σ = 0).</summary>
    /// <param name="epsilon">(B, …) ε_θ(x_t, t).</param>
    /// <param name="t">Current timestep in [0, T).</param>
    /// <param name="prevT">The timestep to jump to, in [0, t), or −1 for the clean sample. diffusers'
    /// <c>set_alpha_to_one=True</c>: ᾱ_{−1} = 1, so the last step returns x̂₀ itself.</param>
    /// <param name="xt">(B, …) x_t.</param>
    /// <param name="eta">η ∈ [0, 1] scales σ_t (eq. 16); above 1 the direction term of eq. 12 can become imaginary.</param>
    /// <param name="generator">Required when <paramref name="eta"/> &gt; 0.</param>
    /// <returns>(B, …) x_{prevT}.</returns>
    public Tensor DdimStep(Tensor epsilon, int t, int prevT, Tensor xt, double eta, Generator? generator = null)
    {
        if (eta > 0 && generator is null)
            throw new ArgumentNullException(nameof(generator), $"eta = {eta} > 0 draws noise and needs a generator");
        return Ddim(epsilon, t, prevT, xt, eta, generator, null);
    }

    /// <summary><see cref="DdimStep(Tensor, int, int, Tensor, double, Generator?)"/> with the noise z given instead of
    /// drawn, as diffusers' <c>variance_noise</c>.</summary>
    /// <param name="noise">(B, …) z, same shape as <paramref name="xt"/>.</param>
    public Tensor DdimStep(Tensor epsilon, int t, int prevT, Tensor xt, double eta, Tensor noise)
    {
        CheckSameShape(noise, xt, nameof(noise), nameof(xt));
        return Ddim(epsilon, t, prevT, xt, eta, null, noise);
    }

    private Tensor Ddim(Tensor epsilon, int t, int prevT, Tensor xt, double eta, Generator? generator, Tensor? noise)
    {
        CheckTimestep(t, nameof(t));
        if (prevT < -1 || prevT >= t)
            throw new ArgumentOutOfRangeException(nameof(prevT), prevT, $"prevT must be in [-1, t = {t})");
        if (eta is not (>= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be in [0, 1]");
        CheckSameShape(epsilon, xt, nameof(epsilon), nameof(xt));
        using var scope = NewDisposeScope();

        // 1. ᾱ_t and ᾱ_prev (set_alpha_to_one: ᾱ_{−1} = 1).
        double alphaBar = alphasCumprod[t];
        double alphaBarPrev = prevT >= 0 ? alphasCumprod[prevT] : 1.0;

        // 2. "predicted x₀" of eq. 12, clipped as configured; the direction term below keeps the unclipped ε, as
        //    diffusers' default use_clipped_model_output=False.
        var x0 = PredictX0(epsilon, t, xt);                                   // (B, …)

        // 3. σ_t(η) = η √((1 − ᾱ_prev) / (1 − ᾱ_t)) √(1 − ᾱ_t / ᾱ_prev), eq. 16.
        double sigma = eta * Math.Sqrt((1 - alphaBarPrev) / (1 - alphaBar) * (1 - alphaBar / alphaBarPrev));

        // 4. x_prev = √ᾱ_prev · x̂₀ + √(1 − ᾱ_prev − σ²) · ε + σ z, eq. 12 ("direction pointing to x_t" and noise).
        var prev = Math.Sqrt(alphaBarPrev) * x0
                   + Math.Sqrt(Math.Max(1 - alphaBarPrev - sigma * sigma, 0)) * epsilon;   // (B, …)
        if (eta > 0) prev = prev + sigma * (noise ?? DrawNoise(xt, generator!));          // (B, …)
        return prev.MoveToOuterDisposeScope();
    }

    /// <summary>DDIM's sub-sequence of timesteps, descending, with diffusers' default "leading" spacing:
    /// k · ⌊T / steps⌋ for k = steps−1 … 0 (T = 1000, 50 steps: 980, 960, …, 20, 0). Each step jumps to the next
    /// entry, the last one to −1 (the clean sample).</summary>
    public int[] DdimTimesteps(int steps)
    {
        if (steps < 1 || steps > TrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"steps must be in [1, train_timesteps = {TrainTimesteps}]");
        int ratio = TrainTimesteps / steps;
        return Enumerable.Range(0, steps).Reverse().Select(k => k * ratio).ToArray();
    }

    /// <summary>SDEdit's share of a DDIM run (Meng et al. 2022, §3; diffusers' img2img): of the
    /// <paramref name="steps"/> timesteps of <see cref="DdimTimesteps"/>, the last ⌊steps · strength⌋, so the input is
    /// noised to the first of them and denoised from there. T = 1000, 50 steps, strength 0.5: 480, 460, …, 0. Strength
    /// 1 starts from the noisiest step, as plain sampling does; a small strength keeps most of the input.</summary>
    /// <param name="strength">In (0, 1]; at least one step must remain (steps · strength ≥ 1).</param>
    public int[] SdeditTimesteps(int steps, double strength)
    {
        if (strength is not (> 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "strength must be in (0, 1]");
        int[] all = DdimTimesteps(steps);
        // The small epsilon keeps products like 50 · 0.7 = 34.999… from losing a step (Python's int() gets 35 there).
        int kept = (int)Math.Floor(steps * strength + 1e-9);
        if (kept < 1)
            throw new ArgumentOutOfRangeException(nameof(strength), strength,
                $"strength {strength} of {steps} steps leaves no step to run; use a larger strength or more steps");
        return all[(steps - kept)..];
    }

    /// <summary>Jumps from x_from to x_to, from < to (−1 = the clean sample), through the forward process:
    /// q(x_to | x_from) = N(√(ᾱ_to / ᾱ_from) · x_from, (1 − ᾱ_to / ᾱ_from) I), the product of the single steps
    /// between them (DDPM eq. 2 composed). RePaint's "undo" of a denoising step (Lugmayr et al. 2022, §4.2).</summary>
    /// <param name="x">(B, …) x_from.</param>
    /// <param name="noise">(B, …) ε ~ N(0, I), same shape.</param>
    /// <returns>(B, …) x_to.</returns>
    public Tensor Renoise(Tensor x, int from, int to, Tensor noise)
    {
        if (from < -1 || from >= TrainTimesteps) throw new ArgumentOutOfRangeException(nameof(from), from, $"from must be in [-1, {TrainTimesteps})");
        CheckTimestep(to, nameof(to));
        if (to <= from) throw new ArgumentOutOfRangeException(nameof(to), to, $"to must be after from = {from}");
        CheckSameShape(noise, x, nameof(noise), nameof(x));
        double ratio = alphasCumprod[to] / (from >= 0 ? alphasCumprod[from] : 1.0);     // ᾱ_to / ᾱ_from
        using var scope = NewDisposeScope();
        return (Math.Sqrt(ratio) * x + Math.Sqrt(1 - ratio) * noise).MoveToOuterDisposeScope();   // (B, …)
    }

    /// <summary>z ~ N(0, I) shaped like <paramref name="like"/>, drawn on the generator's device (a CPU generator
    /// gives the same numbers whatever device samples live on) and moved to <paramref name="like"/>'s.</summary>
    private static Tensor DrawNoise(Tensor like, Generator generator) =>
        randn(like.shape, like.dtype, generator.device, generator: generator).to(like.device);

    /// <summary>β_t = beta_start + (beta_end − beta_start) · t / (T − 1), as <c>linspace</c>.</summary>
    private static double[] LinearBetas(int steps, double start, double end) =>
        Enumerable.Range(0, steps).Select(t => steps == 1 ? start : start + (end - start) * t / (steps - 1)).ToArray();

    /// <summary>Nichol &amp; Dhariwal (2021) eq. 17 with s = 0.008, β capped at 0.999 so the last step (where
    /// ᾱ(1) = cos²(π/2) ≈ 0) does not destroy the sample in one step, as diffusers' <c>betas_for_alpha_bar</c>.</summary>
    private static double[] CosineBetas(int steps)
    {
        static double AlphaBar(double s) => Math.Pow(Math.Cos((s + 0.008) / 1.008 * Math.PI / 2), 2);
        return Enumerable.Range(0, steps)
            .Select(t => Math.Min(1 - AlphaBar((t + 1.0) / steps) / AlphaBar((double)t / steps), 0.999))
            .ToArray();
    }

    private void CheckTimestep(int t, string name)
    {
        if (t < 0 || t >= TrainTimesteps)
            throw new ArgumentOutOfRangeException(name, t, $"timestep {t} is outside [0, train_timesteps = {TrainTimesteps})");
    }

    private static void CheckSameShape(Tensor a, Tensor b, string nameA, string nameB)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"{nameA} ({Shape(a)}) and {nameB} ({Shape(b)}) differ in shape", nameA);
    }

    private static string Shape(Tensor x) => string.Join(", ", x.shape);
}
