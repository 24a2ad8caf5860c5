using GenLab.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Diffusion;

/// <summary>SDEdit and inpainting loops, with an oracle denoiser that knows the clean image: it returns the exact ε of
/// x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε, so any loop that does the right arithmetic must give x₀ back.</summary>
public sealed class ImageEditingTests
{
    private static NoiseScheduler Scheduler(int steps = 100) => new(new NoiseSchedulerConfig { TrainTimesteps = steps, ClipSample = false });

    private static Func<Tensor, Tensor, Tensor?, Tensor> Oracle(NoiseScheduler scheduler, Tensor x0) => (x, t, _) =>
    {
        var alphaBar = tensor(scheduler.AlphasCumprod.ToArray()).index_select(0, t.to(ScalarType.Int64)).view(-1, 1, 1, 1).to(ScalarType.Float32);   // (B, 1, 1, 1)
        return (x - alphaBar.sqrt() * x0) / (1 - alphaBar).sqrt();                                                              // (B, C, H, W)
    };

    private static Tensor Image(long seed)
    {
        using var g = new Generator((ulong)seed);
        return rand([2, 3, 8, 8], generator: g) * 2 - 1;                                  // (2, 3, 8, 8) in [-1, 1]
    }

    [Fact]
    public void SdeditTimesteps_AreTheLastShareOfTheDdimRun_WithoutLosingAStepToRounding()
    {
        var scheduler = new NoiseScheduler(new NoiseSchedulerConfig { TrainTimesteps = 1000 });
        int[] half = scheduler.SdeditTimesteps(50, 0.5);
        Assert.Equal(25, half.Length);
        Assert.Equal(480, half[0]);
        Assert.Equal(0, half[^1]);
        Assert.Equal(35, scheduler.SdeditTimesteps(50, 0.7).Length);                   // 50 · 0.7 = 34.999… in floating point
        Assert.Equal(scheduler.DdimTimesteps(50), scheduler.SdeditTimesteps(50, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SdeditTimesteps(50, 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SdeditTimesteps(50, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SdeditTimesteps(50, 1.5));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void Sdedit_WithTheOracle_GivesTheCleanImageBack_AtAnyStrength(double strength)
    {
        var scheduler = Scheduler();
        using var x0 = Image(1);
        var sampler = new DiffusionSampler(scheduler, Oracle(scheduler, x0));
        using var g = new Generator(3);
        using var samples = sampler.Sdedit(x0, strength, 20, 0.0, g);
        Assert.Equal(x0.shape, samples.Images.shape);
        Assert.True((samples.Images - x0).abs().max().item<float>() < 1e-3f);
        Assert.False(x0.IsInvalid, "the caller's input must not be disposed");
    }

    [Fact]
    public void Sdedit_WithAModelThatKnowsAnotherImage_MovesTowardsItTheMoreTheStrongerTheEdit()
    {
        // The model believes every image is `target`: a weak edit keeps most of the input, a strong one ends near the target.
        var scheduler = Scheduler();
        using var input = Image(1);
        using var target = Image(2);
        var sampler = new DiffusionSampler(scheduler, Oracle(scheduler, target));
        double DistanceToInput(double strength)
        {
            using var g = new Generator(3);
            using var samples = sampler.Sdedit(input, strength, 20, 0.0, g);
            return (samples.Images - input).square().mean().sqrt().item<float>();
        }
        double weak = DistanceToInput(0.1), strong = DistanceToInput(1.0);
        double inputToTarget = (input - target).square().mean().sqrt().item<float>();
        Assert.True(weak < strong, $"weak edit {weak}, strong {strong}");
        Assert.True(strong > 0.9 * inputToTarget, $"strength 1 should end at the model's image: {strong} of {inputToTarget}");
    }

    [Fact]
    public void Renoise_FromClean_IsAddNoise_AndComposesStepByStep()
    {
        var scheduler = Scheduler();
        using var x0 = Image(1);
        using var g = new Generator(4);
        using var noise = randn(x0.shape, generator: g);
        using var direct = scheduler.Renoise(x0, -1, 30, noise);
        using var t = full(2, 30, ScalarType.Int64);
        using var added = scheduler.AddNoise(x0, noise, t);
        Assert.True((direct - added).abs().max().item<float>() < 1e-5f);

        // From 10 to 30 the signal is scaled by √(ᾱ_30 / ᾱ_10): with zero noise, 0 → 10 → 30 equals 0 → 30.
        using var zero = zeros_like(x0);
        using var at10 = scheduler.Renoise(x0, -1, 10, zero);
        using var at30 = scheduler.Renoise(at10, 10, 30, zero);
        using var once = scheduler.Renoise(x0, -1, 30, zero);
        Assert.True((at30 - once).abs().max().item<float>() < 1e-5f);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Renoise(x0, 30, 10, noise));
    }

    [Fact]
    public void JumpSchedule_ClimbsBackJumpLengthLevels_ResamplesMinusOneTimes()
    {
        Assert.Equal([3, 2, 1, 0, 1, 2, 1, 0, -1], InpaintingSampler.JumpSchedule(4, 2, 2));
        Assert.Equal([3, 2, 1, 0, -1], InpaintingSampler.JumpSchedule(4, 2, 1));
        Assert.Equal(4, InpaintingSampler.NetworkCalls(4, 2, 1));
        Assert.Equal(6, InpaintingSampler.NetworkCalls(4, 2, 2));
        // 50 levels, jump 5, 5 passes: 50 steps down plus 4 extra passes over each of the 9 stretches below the top.
        Assert.Equal(50 + 4 * 5 * 9, InpaintingSampler.NetworkCalls(50, 5, 5));
    }

    [Fact]
    public void KnownMask_HidesTheCentredBox_TheBottomRows_OrTheRightColumns()
    {
        using var box = InpaintingSampler.KnownMask(MaskShape.Box, 0.5, 4);
        Assert.Equal([1f, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1], box.data<float>().ToArray());
        using var bottom = InpaintingSampler.KnownMask(MaskShape.Bottom, 0.25, 4);
        Assert.Equal([1f, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], bottom.data<float>().ToArray());
        using var right = InpaintingSampler.KnownMask(MaskShape.Right, 0.01, 4);          // at least one pixel hidden
        Assert.Equal(4, (int)(16 - right.sum().item<float>()));
    }

    [Fact]
    public void RePaintAndPaste_KeepTheKnownPixels_AndTheOracleFillsTheHiddenOnesExactly()
    {
        var scheduler = Scheduler();
        using var x0 = Image(1);
        using var known = InpaintingSampler.KnownMask(MaskShape.Box, 0.5, 8);
        var sampler = new InpaintingSampler(scheduler, Oracle(scheduler, x0));
        foreach (int resamples in new[] { 1, 3 })
        {
            using var g = new Generator(9);
            using var filled = sampler.RePaint(x0, known, 10, 2, resamples, g);
            Assert.Equal(x0.shape, filled.shape);
            Assert.True(((filled - x0) * known).abs().max().item<float>() < 1e-5f, "known pixels changed");
            // η = 1 steps add fresh noise at every level but the last, whose σ is 0: the oracle's x₀ survives.
            Assert.True(((filled - x0) * (1 - known)).abs().max().item<float>() < 1e-3f, $"resamples {resamples}: hidden pixels not filled");
        }
    }

    [Fact]
    public void RePaint_WithAModelThatIgnoresTheKnownPart_StillReturnsTheKnownPixels()
    {
        var scheduler = Scheduler();
        using var x0 = Image(1);
        using var other = Image(2);
        using var known = InpaintingSampler.KnownMask(MaskShape.Right, 0.5, 8);
        var sampler = new InpaintingSampler(scheduler, Oracle(scheduler, other));
        using var g = new Generator(9);
        using var filled = sampler.RePaint(x0, known, 10, 2, 2, g);
        Assert.True(((filled - x0) * known).abs().max().item<float>() < 1e-5f);
        Assert.True(((filled - x0) * (1 - known)).abs().max().item<float>() > 0.1f, "the hidden part should follow the model, not the input");
    }

    [Fact]
    public void RePaintAndSdedit_LeaveNoLiveTensorsBehind_ButTheirOutputs()
    {
        var scheduler = Scheduler();
        using var x0 = Image(1);
        using var known = InpaintingSampler.KnownMask(MaskShape.Box, 0.5, 8);
        var inpainting = new InpaintingSampler(scheduler, Oracle(scheduler, x0));
        var sampler = new DiffusionSampler(scheduler, Oracle(scheduler, x0));
        using (var g = new Generator(1))
        using (inpainting.RePaint(x0, known, 6, 2, 2, g)) { }                              // warm-up
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var g = new Generator(2))
        using (var filled = inpainting.RePaint(x0, known, 10, 2, 3, g))
        using (var edited = sampler.Sdedit(x0, 0.7, 10, 1.0, g))
        {
            Assert.Equal(x0.shape, filled.shape);
            Assert.Equal(x0.shape, edited.Images.shape);
        }
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
