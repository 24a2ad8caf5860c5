using GenLab.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Diffusion;

// Golden numbers were computed in float64 with numpy, using diffusers' DDPMScheduler/DDIMScheduler formulas:
//   b = np.linspace(1e-4, 0.02, 1000); a = 1 - b; ac = np.cumprod(a)
//   cosine: b_t = min(1 - f((t+1)/T) / f(t/T), 0.999), f(s) = cos((s + 0.008) / 1.008 * pi / 2) ** 2
// and the step formulas written out in the comments of each test. Tensors are float32, hence the 1e-5 tolerances.
public sealed class NoiseSchedulerTests
{
    private static readonly NoiseScheduler Linear = new(new NoiseSchedulerConfig());

    private static float[] Values(Tensor x) => x.data<float>().ToArray();

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        var values = Values(actual);
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], tolerance);
    }

    [Fact]
    public void Defaults_AreDiffusersDdpmScheduler()
    {
        var config = new NoiseSchedulerConfig();
        Assert.Equal(1000, config.TrainTimesteps);
        Assert.Equal(1e-4, config.BetaStart);
        Assert.Equal(0.02, config.BetaEnd);
        Assert.Equal(BetaSchedule.Linear, config.BetaSchedule);
        Assert.True(config.ClipSample);
        Assert.Equal(1.0, config.ClipSampleRange);
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void LinearSchedule_AlphasCumprod_MatchesNumpy()
    {
        Assert.Equal(1000, Linear.AlphasCumprod.Count);
        Assert.Equal(1e-4, Linear.Betas[0], 1e-15);
        Assert.Equal(0.00011991991991991993, Linear.Betas[1], 1e-15);
        Assert.Equal(0.02, Linear.Betas[999], 1e-15);
        Assert.Equal(0.9999, Linear.AlphasCumprod[0], 1e-12);
        Assert.Equal(0.07858724288177824, Linear.AlphasCumprod[499], 1e-12);
        Assert.Equal(4.035829765375676e-05, Linear.AlphasCumprod[999], 1e-15);
        Assert.Equal(1 - Linear.Betas[499], Linear.Alphas[499]);
    }

    [Fact]
    public void SignalToNoise_IsAlphaBarOverOneMinusAlphaBar()
    {
        Assert.Equal(9999.0000000011, Linear.SignalToNoise(0), 1e-6);
        Assert.Equal(0.08528994446263685, Linear.SignalToNoise(499), 1e-12);
        Assert.Equal(4.0359926511684205e-05, Linear.SignalToNoise(999), 1e-15);
    }

    [Fact]
    public void CosineSchedule_Betas_MatchNumpy_AndTheLastIsCappedAt0999()
    {
        var cosine = new NoiseScheduler(new NoiseSchedulerConfig { BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        Assert.Equal(4.128422482196914e-05, cosine.Betas[0], 1e-15);
        Assert.Equal(4.614175273665033e-05, cosine.Betas[1], 1e-15);
        Assert.Equal(0.0031458862304780677, cosine.Betas[499], 1e-14);
        Assert.Equal(0.7499993929011166, cosine.Betas[998], 1e-12);
        Assert.Equal(0.999, cosine.Betas[999]);                          // uncapped it would be 1 − 3.7e-33
        Assert.Equal(1, cosine.Betas.Count(b => b == 0.999));
        Assert.Equal(0.4938435904406382, cosine.AlphasCumprod[499], 1e-12);
        Assert.Equal(2.4287669070348567e-09, cosine.AlphasCumprod[999], 1e-20);
    }

    [Fact]
    public void AddNoise_IsEquation4_PerSampleTimestep()
    {
        // x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε: sample 0 at t = 499, sample 1 at t = 0.
        using var x0 = tensor(new[] { 1.0f, -0.5f }).view(2, 1, 1);
        using var noise = tensor(new[] { 0.5f, 2.0f }).view(2, 1, 1);
        using var t = tensor(new long[] { 499, 0 });
        using var xt = Linear.AddNoise(x0, noise, t);
        Assert.Equal([2L, 1, 1], xt.shape);
        Assert.Equal(0.7602853992432965, Values(xt)[0], 1e-6);
        Assert.Equal(-0.47997499937496985, Values(xt)[1], 1e-6);
    }

    [Fact]
    public void Step_IsEquation7PosteriorMean_PlusSigmaZ_WithClipping()
    {
        // t = 500: x̂₀ = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t = [0.3728, −1.75 → −1, 11.7 → 1] (clipped), then
        // μ̃ = √ᾱ_{t−1} β_t/(1−ᾱ_t) x̂₀ + √α_t (1−ᾱ_{t−1})/(1−ᾱ_t) x_t and x_{t−1} = μ̃ + √β̃_t z.
        using var xt = tensor(new[] { 0.2f, -0.3f, 3.0f });
        using var epsilon = tensor(new[] { 0.1f, 0.2f, 0.0f });
        using var z = tensor(new[] { 1.0f, -2.0f, 0.5f });
        using var x0 = Linear.PredictX0(epsilon, 500, xt);
        using var previous = Linear.Step(epsilon, 500, xt, z);
        AssertClose([0.3727534275225079, -1.0, 1.0], x0, 1e-6);
        AssertClose([0.30021712172496806, -0.5018020629368924, 3.0354992845043682], previous, 1e-5);
    }

    [Fact]
    public void Step_AtTimestep0_ReturnsPredictedX0_AndIgnoresNoise()
    {
        // ᾱ_{−1} = 1: μ̃ = β₀/(1 − ᾱ₀) x̂₀ + 0 · x_t = x̂₀, and no noise is added.
        using var xt = tensor(new[] { 0.2f, -0.3f, 3.0f });
        using var epsilon = tensor(new[] { 0.1f, 0.2f, 0.0f });
        using var z = tensor(new[] { 1.0f, -2.0f, 0.5f });
        using var previous = Linear.Step(epsilon, 0, xt, z);
        AssertClose([0.19900995074633418, -0.30201510113262753, 1.0], previous, 1e-6);
        using var generator = new Generator(3);
        using var drawn = Linear.Step(epsilon, 0, xt, generator);
        Assert.True(drawn.allclose(previous));
        using var fresh = new Generator(3);
        using var next = randn([4], generator: generator);
        using var first = randn([4], generator: fresh);
        Assert.Equal(Values(first), Values(next));                           // the step at t = 0 drew nothing
    }

    [Fact]
    public void Step_WithGenerator_DrawsZFromIt_LikeHandComputation()
    {
        // The seeded step equals eq. 7 evaluated by hand with the z that the same seed draws.
        using var xt = tensor(new[] { 0.2f, -0.3f, 0.7f, 0.1f }).view(2, 2);
        using var epsilon = tensor(new[] { 0.1f, 0.2f, -0.4f, 0.3f }).view(2, 2);
        const int t = 10;
        using var g1 = new Generator(42);
        using var z = randn([2, 2], generator: g1);
        using var g2 = new Generator(42);
        using var stepped = Linear.Step(epsilon, t, xt, g2);

        double alphaBar = Linear.AlphasCumprod[t], alphaBarPrev = Linear.AlphasCumprod[t - 1], beta = Linear.Betas[t];
        var x = Values(xt); var e = Values(epsilon); var noise = Values(z); var actual = Values(stepped);
        for (int i = 0; i < 4; i++)
        {
            double x0 = Math.Clamp((x[i] - Math.Sqrt(1 - alphaBar) * e[i]) / Math.Sqrt(alphaBar), -1, 1);
            double mean = Math.Sqrt(alphaBarPrev) * beta / (1 - alphaBar) * x0
                          + Math.Sqrt(1 - beta) * (1 - alphaBarPrev) / (1 - alphaBar) * x[i];
            double sigma = Math.Sqrt((1 - alphaBarPrev) / (1 - alphaBar) * beta);
            Assert.Equal(mean + sigma * noise[i], actual[i], 1e-5);
        }
    }

    [Fact]
    public void DdimStep_IsEquation12_WithSigmaFromEquation16()
    {
        // t = 500 → 480, η = 0.5: σ = η √((1−ᾱ_480)/(1−ᾱ_500)) √(1 − ᾱ_500/ᾱ_480),
        // x_480 = √ᾱ_480 x̂₀ + √(1 − ᾱ_480 − σ²) ε + σ z.
        using var xt = tensor(new[] { 0.2f, -0.3f, 3.0f });
        using var epsilon = tensor(new[] { 0.1f, 0.2f, 0.0f });
        using var z = tensor(new[] { 1.0f, -2.0f, 0.5f });
        using var previous = Linear.DdimStep(epsilon, 500, 480, xt, 0.5, z);
        AssertClose([0.41773238229996823, -0.5426955221895439, 0.4130739831066217], previous, 1e-5);
        // Last step to −1 with η = 0: set_alpha_to_one makes it x̂₀.
        using var last = Linear.DdimStep(epsilon, 20, -1, xt, 0.0);
        AssertClose([0.1926896025559, -0.31682375073904956, 1.0], last, 1e-6);
    }

    [Fact]
    public void DdimStep_WithEta1AndPrevTMinus1_IsTheDdpmStep()
    {
        // With prev = t − 1 and η = 1, eq. 16 gives σ² = (1−ᾱ_{t−1})/(1−ᾱ_t) · (1 − α_t) = β̃_t, DDPM's variance; and
        // substituting x_t = √ᾱ_t x̂₀ + √(1−ᾱ_t) ε into eq. 7 gives √ᾱ_{t−1} x̂₀ + √(1−ᾱ_{t−1}−β̃_t) ε, DDIM's eq. 12
        // mean. So with the same z the two steps agree — as long as x̂₀ is not clipped: clipping changes x̂₀, and DDIM
        // then keeps the raw ε where DDPM keeps x_t, so the substitution no longer holds. Hence clip_sample off here.
        var scheduler = new NoiseScheduler(new NoiseSchedulerConfig { ClipSample = false });
        using var xt = tensor(new[] { 0.2f, -0.3f, 0.7f, 0.1f });
        using var epsilon = tensor(new[] { 0.3f, -0.2f, 0.6f, 0.05f });
        using var z = tensor(new[] { 1.0f, -2.0f, 0.5f, 0.25f });
        foreach (int t in new[] { 999, 500, 30, 1, 0 })
        {
            using var ddpm = scheduler.Step(epsilon, t, xt, z);
            using var ddim = scheduler.DdimStep(epsilon, t, t - 1, xt, 1.0, z);
            Assert.True(ddim.allclose(ddpm, rtol: 1e-5, atol: 1e-5), $"t = {t}: {string.Join(", ", Values(ddim))} vs {string.Join(", ", Values(ddpm))}");
        }
    }

    [Fact]
    public void DdimTimesteps_UseLeadingSpacing()
    {
        var fifty = Linear.DdimTimesteps(50);
        Assert.Equal(50, fifty.Length);
        Assert.Equal([980, 960, 940], fifty[..3]);
        Assert.Equal(0, fifty[^1]);
        Assert.Equal([666, 333, 0], Linear.DdimTimesteps(3));
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), Linear.DdimTimesteps(1000));
        Assert.Equal([0], Linear.DdimTimesteps(1));
    }

    [Fact]
    public void BadInput_IsRejected_NamingWhatIsWrong()
    {
        using var x = zeros(2, 3);
        using var other = zeros(2, 4);
        using var generator = new Generator(0);
        Assert.Contains("outside [0, train_timesteps = 1000)",
            Assert.Throws<ArgumentOutOfRangeException>(() => Linear.Step(x, 1000, x, generator)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.Step(x, -1, x, generator));
        Assert.Contains("epsilon (2, 4) and xt (2, 3) differ in shape",
            Assert.Throws<ArgumentException>(() => Linear.Step(other, 5, x, generator)).Message);
        Assert.Contains("noise", Assert.Throws<ArgumentException>(() => Linear.Step(x, 5, x, other)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.DdimStep(x, 5, 5, x, 0, generator));
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.DdimStep(x, 5, -2, x, 0, generator));
        Assert.Contains("eta", Assert.Throws<ArgumentOutOfRangeException>(() => Linear.DdimStep(x, 5, 4, x, 1.5, generator)).Message);
        Assert.Contains("generator", Assert.Throws<ArgumentNullException>(() => Linear.DdimStep(x, 5, 4, x, 0.5)).Message);
        Assert.Contains("steps must be in [1, train_timesteps = 1000]",
            Assert.Throws<ArgumentOutOfRangeException>(() => Linear.DdimTimesteps(1001)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.DdimTimesteps(0));

        using var t = tensor(new long[] { 3, 1000 });
        Assert.Contains("timesteps[1] = 1000 is outside [0, 1000)",
            Assert.Throws<ArgumentOutOfRangeException>(() => Linear.AddNoise(x, x, t)).Message);
        using var t3 = tensor(new long[] { 1, 2, 3 });
        Assert.Contains("timesteps must have shape (2)", Assert.Throws<ArgumentException>(() => Linear.AddNoise(x, x, t3)).Message);
        using var tf = tensor(new[] { 1f, 2f });
        Assert.Contains("integers", Assert.Throws<ArgumentException>(() => Linear.AddNoise(x, x, tf)).Message);
        using var t2 = tensor(new long[] { 1, 2 });
        Assert.Throws<ArgumentException>(() => Linear.AddNoise(x, other, t2));
    }

    [Fact]
    public void Config_Validate_NamesTheKey()
    {
        var keys = new NoiseSchedulerConfig
        {
            TrainTimesteps = 0, BetaStart = 0.03, BetaEnd = 0.02, ClipSampleRange = 0, BetaSchedule = (BetaSchedule)7,
        }.Validate().Select(i => i.Key).ToList();
        Assert.Equal(["train_timesteps", "beta_schedule", "beta_end", "clip_sample_range"], keys);
        Assert.Contains("beta_start", new NoiseSchedulerConfig { BetaStart = 0 }.Validate().Select(i => i.Key));
        Assert.Throws<ArgumentException>(() => new NoiseScheduler(new NoiseSchedulerConfig { TrainTimesteps = 0 }));
    }

    [Fact]
    public void BetaSchedule_YamlSpelling_IsDiffusers()
    {
        var member = typeof(BetaSchedule).GetField(nameof(BetaSchedule.SquaredCosCapV2))!;
        var attribute = (System.Runtime.Serialization.EnumMemberAttribute)Attribute.GetCustomAttribute(member,
            typeof(System.Runtime.Serialization.EnumMemberAttribute))!;
        Assert.Equal("squaredcos_cap_v2", attribute.Value);
    }
}
