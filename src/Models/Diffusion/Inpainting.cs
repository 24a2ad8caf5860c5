using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

/// <summary>Which part of an image a mask hides (the part to fill in).</summary>
public enum MaskShape
{
    /// <summary>A centred square whose side is <c>mask_size</c> of the image's.</summary>
    Box,
    /// <summary>The bottom <c>mask_size</c> of the rows.</summary>
    Bottom,
    /// <summary>The right <c>mask_size</c> of the columns.</summary>
    Right,
}

/// <summary>Filling in the hidden part of images with an unconditional diffusion model, no retraining: the known
/// pixels steer every reverse step (Song et al. 2021 "conditioning by replacement"; RePaint, Lugmayr et al. 2022).
/// At each step x_t → x_{t−1} the known region is replaced by the input noised to t − 1 (RePaint eq. 8):
/// <code>x_{t−1} = m ⊙ (√ᾱ_{t−1} x₀ + √(1 − ᾱ_{t−1}) ε) + (1 − m) ⊙ x_{t−1}^unknown</code>
/// with m = 1 on known pixels and x^unknown from the model's own step. Pasting alone (<see cref="Paste"/>: <see cref="RePaint"/>
/// with resamples 1) leaves the two regions disagreeing: the model only ever sees the known
/// pixels through noise it did not produce, and the filled part does not have to fit them. RePaint's resampling
/// jumps back up (x_{t−1} → x_t through the forward process, <see cref="NoiseScheduler.Renoise"/>) and denoises again,
/// <c>resamples</c> times per stretch of <c>jump_length</c> levels, so the model can harmonise the two.
/// <para>Steps run over the levels k = S−1 … 0 of <see cref="NoiseScheduler.DdimTimesteps"/> (timestep τ_k = k·⌊T/S⌋,
/// −1 = clean) with DDIM's η = 1, i.e. DDPM's ancestral step between consecutive levels. Shapes: x₀ (B, C, H, W) in
/// [−1, 1]; masks (B or 1, 1, H, W) broadcast over the channels. The denoiser is called as in
/// <see cref="DiffusionSampler"/>; each step runs in its own dispose scope and inputs are never disposed.</para></summary>
public sealed class InpaintingSampler(NoiseScheduler scheduler, Func<Tensor, Tensor, Tensor?, Tensor> denoiser)
{
    public NoiseScheduler Scheduler { get; } = scheduler;

    /// <summary>RePaint's walk over the levels (Lugmayr et al. 2022, the reference code's <c>get_schedule_jump</c>):
    /// starts at S − 1, goes down one level at a time to −1 (clean) and, on reaching a level k ≡ 0 (mod
    /// <paramref name="jumpLength"/>) below S − <paramref name="jumpLength"/>, climbs back up
    /// <paramref name="jumpLength"/> levels, <paramref name="resamples"/> − 1 times. S = 4, jump 2, resamples 2:
    /// 3, 2, 1, 0, 1, 2, 1, 0, −1. With resamples 1: S − 1, …, 0, −1.</summary>
    public static int[] JumpSchedule(int steps, int jumpLength, int resamples)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be >= 1");
        if (jumpLength < 1) throw new ArgumentOutOfRangeException(nameof(jumpLength), jumpLength, "jump length must be >= 1");
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "resamples must be >= 1");
        var jumpsLeft = new Dictionary<int, int>();
        for (int k = 0; k < steps - jumpLength; k += jumpLength) jumpsLeft[k] = resamples - 1;
        var levels = new List<int>();
        int level = steps;
        while (level >= 1)
        {
            levels.Add(--level);
            if (jumpsLeft.GetValueOrDefault(level) <= 0) continue;
            jumpsLeft[level]--;
            for (int j = 0; j < jumpLength; j++) levels.Add(++level);
        }
        levels.Add(-1);
        return [.. levels];
    }

    /// <summary>Denoising steps (network calls) of a <see cref="JumpSchedule"/>: its downward moves.</summary>
    public static int NetworkCalls(int steps, int jumpLength, int resamples)
    {
        var levels = JumpSchedule(steps, jumpLength, resamples);
        return Enumerable.Range(1, levels.Length - 1).Count(i => levels[i] < levels[i - 1]);
    }

    /// <summary>RePaint: fills the pixels where <paramref name="known"/> is 0, keeping the others.</summary>
    /// <param name="x0">(B, C, H, W) images in [−1, 1]; only their known pixels are used.</param>
    /// <param name="known">(B or 1, 1, H, W): 1 where a pixel is known, 0 where it is to be filled.</param>
    /// <param name="steps">S, the levels of the walk.</param>
    /// <param name="jumpLength">Levels climbed back up per resampling (RePaint's j; the paper uses 10 of 250).</param>
    /// <param name="resamples">Passes over each stretch of levels (RePaint's r; 1 = paste only).</param>
    /// <returns>(B, C, H, W) in [−1, 1], equal to <paramref name="x0"/> on the known pixels. Caller owns it.</returns>
    public Tensor RePaint(Tensor x0, Tensor known, int steps, int jumpLength, int resamples, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckMask(x0, known);
        int[] levels = JumpSchedule(steps, jumpLength, resamples);
        int ratio = Scheduler.TrainTimesteps / steps;
        int Timestep(int level) => level < 0 ? -1 : level * ratio;                           // τ_k, −1 = clean

        using var _ = no_grad();
        using var outer = NewDisposeScope();
        var x = DiffusionSampler.InitialNoise(x0.shape, generator, x0.device);             // (B, C, H, W) x at τ_{S−1}
        for (int i = 1; i < levels.Length; i++)
        {
            int from = Timestep(levels[i - 1]), to = Timestep(levels[i]);
            Tensor next;
            using (var step = NewDisposeScope())
            {
                if (to < from)
                {
                    // 1. The model's step for the whole image: ε_θ(x_t, t), then DDPM's ancestral step t → t−1.
                    var epsilon = denoiser(x, full(x.shape[0], from, ScalarType.Int64, x.device), null);   // (B, C, H, W)
                    var unknown = Scheduler.DdimStep(epsilon, from, to, x, 1.0, generator);             // (B, C, H, W)
                    // 2. The known pixels from the input, noised to t − 1 (eq. 8).
                    next = KnownRegionUpdate(x0, known, unknown, to, Noise(x0, generator));
                }
                else next = Scheduler.Renoise(x, from, to, Noise(x, generator));                   // undo: x_{t−1} → x_t
                next = next.MoveToOuterDisposeScope();
            }
            x.Dispose();
            x = next;
        }
        return x.clamp(-1, 1).MoveToOuterDisposeScope();                                     // (B, C, H, W)
    }

    /// <summary>The naive fill: the known region pasted (noised to the current step) after every reverse step, no
    /// resampling — <see cref="RePaint"/> with resamples 1.</summary>
    public Tensor Paste(Tensor x0, Tensor known, int steps, Generator generator) => RePaint(x0, known, steps, 1, 1, generator);

    /// <summary>RePaint eq. 8, one step's join of the two regions: m ⊙ (√ᾱ_{t−1} x₀ + √(1 − ᾱ_{t−1}) ε) + (1 − m) ⊙ x^unknown,
    /// with ᾱ_{−1} = 1 (the last step pastes x₀ itself).</summary>
    /// <param name="x0">(B, C, H, W) the input.</param>
    /// <param name="known">(B or 1, 1, H, W) 1 on known pixels.</param>
    /// <param name="unknown">(B, C, H, W) the model's x_{t−1}.</param>
    /// <param name="prevT">t − 1 in [−1, T).</param>
    /// <param name="noise">(B, C, H, W) ε ~ N(0, I).</param>
    /// <returns>(B, C, H, W) x_{t−1}.</returns>
    public Tensor KnownRegionUpdate(Tensor x0, Tensor known, Tensor unknown, int prevT, Tensor noise)
    {
        if (prevT < -1 || prevT >= Scheduler.TrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(prevT), prevT, $"prevT must be in [-1, {Scheduler.TrainTimesteps})");
        CheckMask(x0, known);
        if (!unknown.shape.SequenceEqual(x0.shape) || !noise.shape.SequenceEqual(x0.shape))
            throw new ArgumentException($"x0, unknown and noise must have one shape, got ({Shape(x0)}), ({Shape(unknown)}), ({Shape(noise)})");
        double alphaBar = prevT >= 0 ? Scheduler.AlphasCumprod[prevT] : 1.0;
        using var scope = NewDisposeScope();
        var knownPart = Math.Sqrt(alphaBar) * x0 + Math.Sqrt(1 - alphaBar) * noise;         // (B, C, H, W)
        return (known * knownPart + (1 - known) * unknown).MoveToOuterDisposeScope();        // (B, C, H, W)
    }

    /// <summary>A mask of known pixels for an image of side <paramref name="size"/>: 1 where a pixel is known, 0 in
    /// the part <paramref name="shape"/> hides, whose extent is <paramref name="fraction"/> of the side
    /// (rounded, at least one pixel and at least one left known).</summary>
    /// <returns>(1, 1, size, size) float32 on the CPU.</returns>
    public static Tensor KnownMask(MaskShape shape, double fraction, int size)
    {
        if (fraction is not (> 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1)");
        int hidden = Math.Clamp((int)Math.Round(fraction * size), 1, size - 1);
        var mask = new float[size * size];
        Array.Fill(mask, 1f);
        int top = (size - hidden) / 2;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            bool hide = shape switch
            {
                MaskShape.Box => y >= top && y < top + hidden && x >= top && x < top + hidden,
                MaskShape.Bottom => y >= size - hidden,
                MaskShape.Right => x >= size - hidden,
                _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown mask shape"),
            };
            if (hide) mask[y * size + x] = 0;
        }
        return tensor(mask, [1, 1, size, size]);
    }

    private static Tensor Noise(Tensor like, Generator generator) => DiffusionSampler.InitialNoise(like.shape, generator, like.device);

    private static void CheckMask(Tensor x0, Tensor known)
    {
        if (x0.dim() != 4 || known.dim() != 4 || known.shape[1] != 1 || known.shape[2] != x0.shape[2] || known.shape[3] != x0.shape[3]
            || (known.shape[0] != 1 && known.shape[0] != x0.shape[0]))
            throw new ArgumentException($"expected x0 (B, C, H, W) and a mask (B or 1, 1, H, W), got ({Shape(x0)}) and ({Shape(known)})");
    }

    private static string Shape(Tensor x) => string.Join(", ", x.shape);
}
