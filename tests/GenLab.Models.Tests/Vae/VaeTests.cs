using GenLab.Models.Data;
using GenLab.Models.Images;
using GenLab.Models.Tests.Autoencoders;
using GenLab.Models.Vae;
using TorchSharp;
using static TorchSharp.torch;
// Inside GenLab.Models.Tests, the bare name Vae is the namespace GenLab.Models.Vae.
using VaeModel = GenLab.Models.Vae.Vae;

namespace GenLab.Models.Tests.Vae;

[Collection(nameof(GlobalTorchRngCollection))]
public sealed class VaeTests
{
    private static VaeConfig Tiny(VaeReconstruction reconstruction = VaeReconstruction.Bce) => new()
    {
        LatentDim = 2, Channels = [4, 8], Reconstruction = reconstruction,
    };

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 8)]
    [InlineData(1, 16)]
    public void EncodeDecodeForward_Shapes_AtTinySizes(int channels, int size)
    {
        random.manual_seed(0);
        using var scope = NewDisposeScope();
        var model = new VaeModel(Tiny(), imageChannels: channels, imageSize: size);
        var images = rand(3, channels, size, size);
        var (mean, logVar) = model.Encode(images);
        Assert.Equal([3L, 2], mean.shape);
        Assert.Equal([3L, 2], logVar.shape);
        var decoded = model.Decode(mean);
        Assert.Equal([3L, channels, size, size], decoded.shape);
        var (reconstruction, forwardMean, _) = model.call(images);
        Assert.Equal([3L, channels, size, size], reconstruction.shape);
        Assert.True(forwardMean.allclose(mean));
        Assert.InRange(reconstruction.min().item<float>(), 0f, 1f);
        Assert.InRange(reconstruction.max().item<float>(), 0f, 1f);
        var loss = model.Loss(images);
        Assert.Equal(0, loss.Total.dim());
    }

    [Fact]
    public void DefaultConfig_IsFostersLayout()
    {
        // Foster ch. 3: 32×32×1 → 16×16×32 → 8×8×64 → 4×4×128 → z_mean, z_log_var (2); decoder mirrors back.
        using var model = new VaeModel(new VaeConfig(), imageChannels: 1, imageSize: 32);
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([32L, 1, 3, 3], shapes["encoder.0.weight"]);
        Assert.Equal([128L, 64, 3, 3], shapes["encoder.4.weight"]);
        Assert.Equal([2L, 128 * 4 * 4], shapes["z_mean.weight"]);
        Assert.Equal([2L, 128 * 4 * 4], shapes["z_log_var.weight"]);
        Assert.Equal([128L * 4 * 4, 2], shapes["decoder.0.weight"]);
        Assert.Equal([128L, 128, 3, 3], shapes["decoder.2.weight"]);          // ConvTranspose2d (in, out, k, k)
        Assert.Equal([1L, 32, 3, 3], shapes["decoder.8.weight"]);
    }

    [Fact]
    public void ImageSizeNotDivisible_NamesSizeChannelsAndFactor()
    {
        var error = Assert.Throws<ArgumentException>(() => new VaeModel(new VaeConfig(), 1, 28));
        Assert.Contains("image size 28 must be a multiple of 2^3 = 8", error.Message);
        Assert.Contains("channels [32, 64, 128]", error.Message);
        Assert.Null(new VaeConfig().ImageSizeProblem(32));
        Assert.NotNull(Tiny().ImageSizeProblem(2));                          // smaller than one 4×4 step
    }

    [Fact]
    public void Validate_NamesEachBadKey()
    {
        var config = new VaeConfig { LatentDim = 0, Channels = [], Reconstruction = (VaeReconstruction)9, Beta = -1 };
        Assert.Equal(["latent_dim", "channels", "reconstruction", "beta"], config.Validate().Select(i => i.Key));
        var error = Assert.Throws<ArgumentException>(() => new VaeModel(config, 1, 16));
        Assert.Contains("beta: must be a number >= 0", error.Message);
        Assert.Empty(new VaeConfig().Validate());
    }

    [Fact]
    public void KlDivergence_IsZeroAtThePrior_AndMatchesTheClosedForm()
    {
        using var scope = NewDisposeScope();
        var zero = VaeModel.KlDivergence(zeros(3, 4), zeros(3, 4));
        Assert.Equal([3L], zero.shape);
        Assert.All(zero.data<float>().ToArray(), v => Assert.Equal(0f, v));

        // μ = (1, −2), log σ² = (0.5, −1): ½Σ(σ² + μ² − 1 − log σ²) = ½(e^0.5 + 1 − 1 − 0.5) + ½(e^−1 + 4 − 1 + 1).
        var kl = VaeModel.KlDivergence(tensor(new[] { 1f, -2f }, [1, 2]), tensor(new[] { 0.5f, -1f }, [1, 2]));
        Assert.Equal(2.7583004, kl.item<float>(), 5);
    }

    [Fact]
    public void Reparameterize_HasTheEncodersMeanAndVariance_AndPassesGradients()
    {
        using var scope = NewDisposeScope();
        const int n = 200_000;
        var mean = tensor(new[] { 1f, -2f }, [1, 2]).expand(n, 2).contiguous().requires_grad_();
        var logVar = tensor(new[] { MathF.Log(4f), MathF.Log(0.25f) }, [1, 2]).expand(n, 2).contiguous().requires_grad_();
        using var generator = new Generator(7);
        var z = VaeModel.Reparameterize(mean, logVar, generator);                               // (n, 2)
        var m = z.mean([0]).data<float>().ToArray();
        var v = z.var(0).data<float>().ToArray();
        Assert.Equal(1.0, m[0], 1.5e-2);
        Assert.Equal(-2.0, m[1], 1.5e-2);
        Assert.Equal(4.0, v[0], 4e-2 * 4);
        Assert.Equal(0.25, v[1], 4e-2 * 0.25);

        z.sum().backward();
        Assert.All(mean.grad!.data<float>().ToArray(), g => Assert.Equal(1f, g));           // ∂z/∂μ = 1
        Assert.NotEqual(0f, logVar.grad!.abs().sum().item<float>());

        using var again = new Generator(7);
        Assert.True(VaeModel.Reparameterize(mean, logVar, again).eq(z).all().item<bool>(), "same generator seed, same z");
    }

    [Fact]
    public void ReconstructionLoss_BceAndMse_AreSummedPerImage()
    {
        using var scope = NewDisposeScope();
        float[] p = [0.9f, 0.2f, 0.5f, 0.99f];
        var logits = tensor(p.Select(v => MathF.Log(v / (1 - v))).ToArray(), [1, 1, 2, 2]).expand(2, 1, 2, 2).contiguous();
        var target = tensor(new[] { 1f, 0f, 0.5f, 1f, 0f, 0f, 0f, 0f }, [2, 1, 2, 2]);

        var bce = VaeModel.ReconstructionLoss(logits, target, VaeReconstruction.Bce).data<float>().ToArray();
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.5) + Math.Log(0.99)), bce[0], 4);
        Assert.Equal(-(Math.Log(0.1) + Math.Log(0.8) + Math.Log(0.5) + Math.Log(0.01)), bce[1], 3);

        var mse = VaeModel.ReconstructionLoss(logits, target, VaeReconstruction.Mse).data<float>().ToArray();
        Assert.Equal(0.01 + 0.04 + 0 + 0.0001, mse[0], 5);
        Assert.Equal(0.81 + 0.04 + 0.25 + 0.9801, mse[1], 5);
    }

    [Theory]
    [InlineData(VaeReconstruction.Bce)]
    [InlineData(VaeReconstruction.Mse)]
    public void Loss_IsReconstructionPlusBetaKl_WithTheChosenReconstruction(VaeReconstruction kind)
    {
        random.manual_seed(3);
        using var scope = NewDisposeScope();
        var model = new VaeModel(Tiny(kind) with { Beta = 0.25 }, 1, 8);
        var images = rand(4, 1, 8, 8);
        using var g1 = new Generator(11);
        var loss = model.Loss(images, g1);
        Assert.Equal(loss.Reconstruction.item<float>() + 0.25f * loss.Kl.item<float>(), loss.Total.item<float>(), 4);

        using var g2 = new Generator(11);
        var (mean, logVar) = model.Encode(images);
        var decoded = model.Decode(VaeModel.Reparameterize(mean, logVar, g2));
        double expected = kind == VaeReconstruction.Bce
            ? nn.functional.binary_cross_entropy(decoded, images, reduction: nn.Reduction.Sum).item<float>() / 4
            : (decoded - images).square().sum().item<float>() / 4;
        Assert.Equal(expected, loss.Reconstruction.item<float>(), 3);
    }

    [Fact]
    public void Training_OnDigits_LowersTheLoss()
    {
        var (data, _) = DigitImages.Dataset(countPerDigit: 2, size: 16, seed: 4, Images.DigitImagesTests.DejaVu);
        using var images = stack(data.Select(d => d.ToTensor()).ToArray());   // (20, 1, 16, 16)

        random.manual_seed(0);
        using var model = new VaeModel(new VaeConfig { Channels = [8, 16], LatentDim = 2 }, imageChannels: 1, imageSize: 16);
        using var optimizer = optim.Adam(model.parameters(), lr: 5e-3);
        using var generator = new Generator(1);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = model.Loss(images, generator);
            loss.Total.backward();
            optimizer.step();
            last = loss.Total.item<float>();
            if (step == 0) first = last;
        }
        Assert.True(last < 0.6f * first, $"loss went from {first} to {last}");
    }
}
