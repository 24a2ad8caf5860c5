using GenLab.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Diffusion;

// The denoisers here are small closed-form functions of (x_t, t, condition): the loops are what is under test.
public sealed class DiffusionSamplerTests
{
    private static readonly long[] Shape = [2, 1, 4, 4];

    private static NoiseScheduler Scheduler(int steps = 50, bool clip = true) =>
        new(new NoiseSchedulerConfig { TrainTimesteps = steps, ClipSample = clip });

    /// <summary>ε = 0.3 x + 0.05 · condition (condition (B) float), so the condition changes the result.</summary>
    private static Tensor Denoise(Tensor x, Tensor t, Tensor? condition)
    {
        var epsilon = 0.3 * x;                                               // (B, 1, 4, 4)
        return condition is null ? epsilon : epsilon + 0.05 * condition.view(-1, 1, 1, 1);
    }

    private static float[] Values(Tensor x) => x.data<float>().ToArray();

    [Fact]
    public void Ddpm_SameSeed_GivesTheSameImages_AnotherSeedOthers()
    {
        var sampler = new DiffusionSampler(Scheduler(), Denoise);
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        using var g3 = new Generator(8);
        using var a = sampler.Ddpm(Shape, g1);
        using var b = sampler.Ddpm(Shape, g2);
        using var c = sampler.Ddpm(Shape, g3);
        Assert.Equal(Shape, a.Images.shape);
        Assert.Equal(Values(a.Images), Values(b.Images));
        Assert.NotEqual(Values(a.Images), Values(c.Images));
        Assert.True(a.Images.min().item<float>() >= -1f && a.Images.max().item<float>() <= 1f);
    }

    [Fact]
    public void Ddim_Eta0_IsDeterministicGivenXT_AndNeedsNoGenerator()
    {
        var sampler = new DiffusionSampler(Scheduler(), Denoise);
        using var g = new Generator(1);
        using var xT = DiffusionSampler.InitialNoise(Shape, g);
        using var a = sampler.Ddim(xT, 10, 0.0, null);
        using var b = sampler.Ddim(xT, 10, 0.0, null);
        Assert.Equal(Values(a.Images), Values(b.Images));
        Assert.False(xT.IsInvalid, "the caller's x_T must not be disposed");
    }

    [Fact]
    public void Ddim_WithAllTrainSteps_AndEta1_IsDdpm_ForTheSameSeed()
    {
        // DDIM with steps = T visits T−1 … 0 and jumps to t − 1, where η = 1 makes each step DDPM's (see
        // NoiseSchedulerTests.DdimStep_WithEta1AndPrevTMinus1_IsTheDdpmStep; clipping off for the reason given there).
        // Both loops draw x_T and then one z per step with t > 0 from the generator in the same order (DDIM also
        // draws at t = 0, multiplied by σ = 0), so the same seed gives the same samples.
        var sampler = new DiffusionSampler(Scheduler(100, clip: false), Denoise);
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var ddpm = sampler.Ddpm(Shape, g1);
        using var ddim = sampler.Ddim(Shape, 100, 1.0, g2);
        Assert.True(ddim.Images.allclose(ddpm.Images, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Guidance1_IsPlainConditionalSampling_InOneForwardOfB()
    {
        var batches = new List<long>();
        Tensor Counting(Tensor x, Tensor t, Tensor? c) { batches.Add(x.shape[0]); return Denoise(x, t, c); }
        var scheduler = Scheduler();
        using var condition = tensor(new[] { 1f, -2f });
        using var unconditional = zeros(2);
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var guided = new DiffusionSampler(scheduler, Counting).Ddim(Shape, 10, 0.5, g1,
            new SamplingOptions { Condition = condition, Unconditional = unconditional, GuidanceScale = 1 });
        using var plain = new DiffusionSampler(scheduler, Denoise).Ddim(Shape, 10, 0.5, g2,
            new SamplingOptions { Condition = condition });
        Assert.Equal(Values(plain.Images), Values(guided.Images));
        Assert.Equal(Enumerable.Repeat(2L, 10), batches);
    }

    [Fact]
    public void Guidance_CombinesUnconditionalAndConditional_InOneForwardOf2B()
    {
        var calls = new List<(long Batch, float[] Condition)>();
        Tensor Recording(Tensor x, Tensor t, Tensor? c)
        {
            calls.Add((x.shape[0], Values(c!)));
            Assert.Equal(Enumerable.Repeat(7L, (int)x.shape[0]), t.data<long>().ToArray());
            return Denoise(x, t, c);
        }
        var sampler = new DiffusionSampler(Scheduler(), Recording);
        using var x = full(Shape, 0.5f);
        using var condition = tensor(new[] { 1f, -2f });
        using var unconditional = tensor(new[] { 9f, 9f });
        var options = new SamplingOptions { Condition = condition, Unconditional = unconditional, GuidanceScale = 3 };
        using var guidedCondition = cat([unconditional, condition], 0);
        using var epsilon = sampler.Epsilon(x, 7, options, guidedCondition);
        // ε_u = 0.15 + 0.45 = 0.6, ε_c = 0.15 + 0.05 c; ε = ε_u + 3 (ε_c − ε_u) = [0.6 + 3·(0.2 − 0.6), 0.6 + 3·(0.05 − 0.6)].
        var call = Assert.Single(calls);
        Assert.Equal(4L, call.Batch);
        Assert.Equal([9f, 9f, 1f, -2f], call.Condition);                    // [unconditional; conditional]
        Assert.Equal(-0.6f, epsilon[0].mean().item<float>(), 1e-6f);
        Assert.Equal(-1.05f, epsilon[1].mean().item<float>(), 1e-6f);
    }

    [Fact]
    public void CaptureTimesteps_KeepsXtAtThoseSteps_NoisiestFirst()
    {
        var sampler = new DiffusionSampler(Scheduler(), Denoise);
        using var g = new Generator(2);
        using var xT = DiffusionSampler.InitialNoise(Shape, g);
        using var result = sampler.Ddpm(xT, g, new SamplingOptions { CaptureTimesteps = [0, 49, 25, 1234] });
        Assert.Equal([49, 25, 0], result.Trajectory.Select(f => f.Timestep));
        Assert.Equal(Values(xT), Values(result.Trajectory[0].Sample));
        Assert.All(result.Trajectory, f => Assert.Equal(Shape, f.Sample.shape));
        using var ddim = sampler.Ddim(xT, 5, 0, null, new SamplingOptions { CaptureTimesteps = [40, 30, 31] });
        Assert.Equal([40, 30], ddim.Trajectory.Select(f => f.Timestep));    // 5 steps of 50: 40, 30, 20, 10, 0
    }

    [Fact]
    public void Sampling_KeepsTheLiveTensorCountFlatAcrossSteps_AndLeavesNothingBehind()
    {
        var live = new List<long>();
        Tensor Counting(Tensor x, Tensor t, Tensor? c)
        {
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return Denoise(x, t, c);
        }
        var sampler = new DiffusionSampler(Scheduler(), Counting);
        using var condition = tensor(new[] { 1f, -2f });
        using var unconditional = zeros(2);
        using var g = new Generator(4);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        foreach (var options in new[]
                 {
                     new SamplingOptions(),
                     new SamplingOptions { Condition = condition, Unconditional = unconditional, GuidanceScale = 2.5 },
                 })
        {
            live.Clear();
            using (var ddpm = sampler.Ddpm(Shape, g, options)) { }
            // The first step samples from the caller's x_T; from the second on the loop holds exactly one x_t.
            Assert.Equal(50, live.Count);
            Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
            live.Clear();
            using (var ddim = sampler.Ddim(Shape, 20, 1.0, g, options)) { }
            Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void BadOptions_AreRejected_NamingWhatIsWrong()
    {
        var sampler = new DiffusionSampler(Scheduler(), Denoise);
        using var g = new Generator(0);
        using var condition = tensor(new[] { 1f, -2f });
        using var three = zeros(3);
        Assert.Contains("needs a condition", Assert.Throws<ArgumentException>(
            () => sampler.Ddpm(Shape, g, new SamplingOptions { GuidanceScale = 2 })).Message);
        Assert.Contains("unconditional input", Assert.Throws<ArgumentException>(
            () => sampler.Ddpm(Shape, g, new SamplingOptions { Condition = condition, GuidanceScale = 2 })).Message);
        Assert.Contains("condition must have batch size 2", Assert.Throws<ArgumentException>(
            () => sampler.Ddpm(Shape, g, new SamplingOptions { Condition = three })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Ddim(Shape, 10, 1.5, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Ddim(Shape, 51, 0, g));
        var wrong = new DiffusionSampler(Scheduler(), (x, t, c) => x.flatten(1));
        Assert.Contains("the denoiser returned (2, 16)", Assert.Throws<InvalidOperationException>(
            () => wrong.Ddpm(Shape, g)).Message);
    }

    [Fact]
    public void UnitInterval_Maps_MinusOneToZero_AndOneToOne()
    {
        using var x = tensor(new[] { -1f, 0f, 1f, 1.5f });
        using var unit = DiffusionSampler.ToUnitInterval(x);
        Assert.Equal([0f, 0.5f, 1f, 1f], Values(unit));
        using var back = DiffusionSampler.FromUnitInterval(unit);
        Assert.Equal([-1f, 0f, 1f, 1f], Values(back));
    }
}
