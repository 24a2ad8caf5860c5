using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

/// <summary>What a sampling loop feeds the denoiser besides x_t and t, and what it records on the way.</summary>
public sealed record SamplingOptions
{
    /// <summary>(B, …) conditioning handed to the denoiser (class ids, embeddings); null for an unconditional model.</summary>
    public Tensor? Condition { get; init; }
    /// <summary>(B, …) the "no condition" input the model was trained with under condition dropout (e.g. a null class
    /// id); needed when <see cref="GuidanceScale"/> ≠ 1.</summary>
    public Tensor? Unconditional { get; init; }
    /// <summary>s of classifier-free guidance (Ho &amp; Salimans 2022): ε = ε_uncond + s · (ε_cond − ε_uncond).
    /// 1 is plain conditional sampling (one forward of B), 0 unconditional; s &gt; 1 trades diversity for fidelity.</summary>
    public double GuidanceScale { get; init; } = 1.0;
    /// <summary>Timesteps t at which to keep a copy of x_t (the sample entering the step at t) for a "denoising
    /// trajectory" strip; timesteps the loop never visits are ignored.</summary>
    public IReadOnlyCollection<int> CaptureTimesteps { get; init; } = [];
}

/// <summary>x_t at one timestep of a sampling run. Owned by the <see cref="DiffusionSamples"/> that holds it.</summary>
public readonly record struct TrajectoryFrame(int Timestep, Tensor Sample);

/// <summary>The output of a sampling run; disposing it disposes every tensor in it.</summary>
public sealed class DiffusionSamples(Tensor images, IReadOnlyList<TrajectoryFrame> trajectory) : IDisposable
{
    /// <summary>(B, …) the generated samples, clamped to [−1, 1].</summary>
    public Tensor Images { get; } = images;
    /// <summary>The captured x_t, noisiest first.</summary>
    public IReadOnlyList<TrajectoryFrame> Trajectory { get; } = trajectory;

    public void Dispose()
    {
        Images.Dispose();
        foreach (var frame in Trajectory) frame.Sample.Dispose();
    }
}

/// <summary>Full reverse-diffusion loops around a <see cref="NoiseScheduler"/> and any noise predictor, so that the
/// process does not depend on the network class (lucidrains' <c>GaussianDiffusion</c> takes the model the same way).
/// The denoiser is called as <c>denoiser(x_t, t, condition)</c> with x_t (B', …), t a (B') int64 tensor of the
/// current timestep, condition (B', …) or null, and returns ε_θ (B', …); B' = 2B when guidance batches the
/// unconditional and conditional passes together. Put a module in eval mode before sampling with it.
/// <para>Randomness comes only from the <see cref="Generator"/> passed in: the same seed, denoiser and options give
/// the same samples. Each step runs in its own dispose scope, so memory stays flat over 1000 steps; inputs are never
/// disposed.</para></summary>
public sealed class DiffusionSampler(NoiseScheduler scheduler, Func<Tensor, Tensor, Tensor?, Tensor> denoiser)
{
    public NoiseScheduler Scheduler { get; } = scheduler;

    /// <summary>x_T ~ N(0, I), drawn on the generator's device and moved to <paramref name="device"/>.</summary>
    /// <param name="shape">(B, …) e.g. (B, C, H, W).</param>
    public static Tensor InitialNoise(long[] shape, Generator generator, Device? device = null)
    {
        var noise = randn(shape, ScalarType.Float32, generator.device, generator: generator);   // (B, …)
        if (device is null) return noise;
        var moved = noise.to(device);
        if (!ReferenceEquals(moved, noise)) noise.Dispose();
        return moved;
    }

    /// <summary>DDPM ancestral sampling (Ho et al. 2020, Algorithm 2) over all T training timesteps, from x_T drawn
    /// from <paramref name="generator"/>.</summary>
    /// <param name="shape">(B, …) of the samples.</param>
    public DiffusionSamples Ddpm(long[] shape, Generator generator, SamplingOptions? options = null, Device? device = null)
    {
        using var xT = InitialNoise(shape, generator, device);                // (B, …)
        return Ddpm(xT, generator, options);
    }

    /// <summary>DDPM ancestral sampling from a given x_T (not disposed).</summary>
    /// <param name="xT">(B, …) the starting noise.</param>
    public DiffusionSamples Ddpm(Tensor xT, Generator generator, SamplingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        int[] timesteps = Enumerable.Range(0, Scheduler.TrainTimesteps).Reverse().ToArray();
        return Run(xT, timesteps, options ?? new(), (epsilon, i, x) => Scheduler.Step(epsilon, timesteps[i], x, generator));
    }

    /// <summary>DDIM sampling (Song et al. 2021) over <paramref name="steps"/> timesteps
    /// (<see cref="NoiseScheduler.DdimTimesteps"/>), from x_T drawn from <paramref name="generator"/>.</summary>
    /// <param name="shape">(B, …) of the samples.</param>
    /// <param name="eta">0: deterministic given x_T; 1 with steps = T: DDPM.</param>
    public DiffusionSamples Ddim(long[] shape, int steps, double eta, Generator generator, SamplingOptions? options = null,
        Device? device = null)
    {
        using var xT = InitialNoise(shape, generator, device);                // (B, …)
        return Ddim(xT, steps, eta, generator, options);
    }

    /// <summary>DDIM sampling from a given x_T (not disposed); <paramref name="generator"/> may be null when
    /// <paramref name="eta"/> = 0.</summary>
    /// <param name="xT">(B, …) the starting noise.</param>
    public DiffusionSamples Ddim(Tensor xT, int steps, double eta, Generator? generator, SamplingOptions? options = null)
    {
        if (eta is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be in [0, 1]");
        if (eta > 0 && generator is null)
            throw new ArgumentNullException(nameof(generator), $"eta = {eta} > 0 draws noise and needs a generator");
        return DdimRun(xT, Scheduler.DdimTimesteps(steps), eta, generator, options);
    }

    /// <summary>SDEdit (Meng et al. 2022), diffusers' img2img: the input is noised in one jump (DDPM eq. 4) to the
    /// first timestep of <see cref="NoiseScheduler.SdeditTimesteps"/> and DDIM denoises it from there. The larger
    /// <paramref name="strength"/>, the noisier the start and the less of the input survives: near 0 the output is
    /// the input, at 1 it is a fresh sample that kept only the input's coarsest layout.</summary>
    /// <param name="x0">(B, …) input images in [−1, 1], on the device to sample on (not disposed).</param>
    /// <param name="strength">In (0, 1]: the share of the <paramref name="steps"/> DDIM steps that run.</param>
    /// <param name="steps">DDIM steps of a whole run (strength 1).</param>
    /// <param name="generator">Draws the starting noise ε, then any step noise (η &gt; 0).</param>
    public DiffusionSamples Sdedit(Tensor x0, double strength, int steps, double eta, Generator generator, SamplingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (eta is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be in [0, 1]");
        int[] timesteps = Scheduler.SdeditTimesteps(steps, strength);
        using var scope = NewDisposeScope();
        var noise = InitialNoise(x0.shape, generator, x0.device);                            // (B, …) ε
        var start = Scheduler.AddNoise(x0, noise, full(x0.shape[0], timesteps[0], ScalarType.Int64));   // (B, …) x_t
        var samples = DdimRun(start, timesteps, eta, generator, options);
        samples.Images.MoveToOuterDisposeScope();
        foreach (var frame in samples.Trajectory) frame.Sample.MoveToOuterDisposeScope();
        return samples;
    }

    /// <summary>DDIM steps over <paramref name="timesteps"/> (descending), each jumping to the next, the last to −1.</summary>
    private DiffusionSamples DdimRun(Tensor xT, int[] timesteps, double eta, Generator? generator, SamplingOptions? options) =>
        Run(xT, timesteps, options ?? new(), (epsilon, i, x) =>
        {
            int prevT = i + 1 < timesteps.Length ? timesteps[i + 1] : -1;
            return Scheduler.DdimStep(epsilon, timesteps[i], prevT, x, eta, generator);
        });

    /// <summary>ε for one step, with classifier-free guidance when the options ask for it (Ho &amp; Salimans 2022
    /// eq. 6, written as ε_uncond + s · (ε_cond − ε_uncond)): both passes in one forward of 2B.</summary>
    /// <param name="x">(B, …) x_t.</param>
    /// <returns>(B, …) ε.</returns>
    internal Tensor Epsilon(Tensor x, int t, SamplingOptions options, Tensor? guidedCondition)
    {
        long B = x.shape[0];
        if (guidedCondition is null)
        {
            var single = denoiser(x, full(B, t, ScalarType.Int64, x.device), options.Condition);   // (B, …)
            CheckEpsilon(single, x.shape);
            return single;
        }
        var both = denoiser(cat([x, x], 0), full(2 * B, t, ScalarType.Int64, x.device), guidedCondition);   // (2B, …)
        CheckEpsilon(both, [2 * B, .. x.shape[1..]]);
        var halves = both.chunk(2, 0);
        var (unconditional, conditional) = (halves[0], halves[1]);                                    // 2 × (B, …)
        return unconditional + options.GuidanceScale * (conditional - unconditional);                 // (B, …)
    }

    /// <summary>The shared loop: at step i, ε from the denoiser, then <paramref name="step"/> (x_t, ε) → next x.</summary>
    private DiffusionSamples Run(Tensor xT, int[] timesteps, SamplingOptions options, Func<Tensor, int, Tensor, Tensor> step)
    {
        var guided = CheckOptions(xT, options);
        var capture = options.CaptureTimesteps.ToHashSet();
        var trajectory = new List<TrajectoryFrame>();
        using var _ = no_grad();
        using var outer = NewDisposeScope();
        // (2B, …) [unconditional; conditional], built once for all steps.
        var guidedCondition = guided ? cat([options.Unconditional!, options.Condition!], 0) : null;
        var x = xT;                                                           // (B, …)
        for (int i = 0; i < timesteps.Length; i++)
        {
            if (capture.Contains(timesteps[i])) trajectory.Add(new(timesteps[i], x.clone()));
            Tensor next;
            using (var stepScope = NewDisposeScope())
            {
                var epsilon = Epsilon(x, timesteps[i], options, guidedCondition);   // (B, …)
                next = step(epsilon, i, x).MoveToOuterDisposeScope();              // (B, …)
            }
            if (!ReferenceEquals(x, xT)) x.Dispose();                         // the previous x_t; never the caller's x_T
            x = next;
        }
        var images = x.clamp(-1, 1).MoveToOuterDisposeScope();               // (B, …)
        foreach (var frame in trajectory) frame.Sample.MoveToOuterDisposeScope();
        return new DiffusionSamples(images, trajectory);
    }

    /// <returns>Whether the loop runs guided (one forward of 2B per step).</returns>
    private static bool CheckOptions(Tensor xT, SamplingOptions options)
    {
        if (xT.dim() < 1 || xT.shape[0] < 1)
            throw new ArgumentException($"x_T must be (B, …) with B >= 1, got ({string.Join(", ", xT.shape)})", nameof(xT));
        if (!double.IsFinite(options.GuidanceScale))
            throw new ArgumentOutOfRangeException(nameof(options), options.GuidanceScale, "guidance scale must be finite");
        CheckBatch(options.Condition, xT, "condition");
        CheckBatch(options.Unconditional, xT, "unconditional");
        if (options.GuidanceScale == 1) return false;
        if (options.Condition is null)
            throw new ArgumentException(
                $"guidance scale {options.GuidanceScale} needs a condition to guide towards; use 1 for an unconditional model",
                nameof(options));
        if (options.Unconditional is null)
            throw new ArgumentException(
                $"guidance scale {options.GuidanceScale} needs the unconditional input (e.g. the null class id) too",
                nameof(options));
        if (!options.Unconditional.shape.SequenceEqual(options.Condition.shape))
            throw new ArgumentException(
                $"unconditional ({string.Join(", ", options.Unconditional.shape)}) and condition "
                + $"({string.Join(", ", options.Condition.shape)}) differ in shape", nameof(options));
        return true;
    }

    private static void CheckBatch(Tensor? condition, Tensor xT, string name)
    {
        if (condition is not null && (condition.dim() < 1 || condition.shape[0] != xT.shape[0]))
            throw new ArgumentException(
                $"{name} must have batch size {xT.shape[0]} like x_T, got ({string.Join(", ", condition.shape)})", nameof(xT));
    }

    private static void CheckEpsilon(Tensor epsilon, long[] expected)
    {
        if (!epsilon.shape.SequenceEqual(expected))
            throw new InvalidOperationException(
                $"the denoiser returned ({string.Join(", ", epsilon.shape)}); expected ε of shape ({string.Join(", ", expected)})");
    }

    /// <summary>Maps samples from the model's [−1, 1] to image intensities in [0, 1]: (x + 1) / 2, clamped.</summary>
    public static Tensor ToUnitInterval(Tensor x) => ((x + 1) / 2).clamp(0, 1);

    /// <summary>Maps images in [0, 1] to the [−1, 1] range diffusion models are trained on (DDPM §4): 2x − 1.</summary>
    public static Tensor FromUnitInterval(Tensor x) => x * 2 - 1;
}
