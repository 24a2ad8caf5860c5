using GenLab.Models.Autoencoders;
using GenLab.Models.Data;
using GenLab.Models.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Autoencoders;

// Module initialisation draws from torch's global generator; running alone keeps manual_seed meaningful while
// other test classes (in parallel collections) draw from it too.
[Collection(nameof(GlobalTorchRngCollection))]
public sealed class AutoencoderTests
{
    private static AutoencoderConfig Tiny(AutoencoderArchitecture architecture) => new()
    {
        Architecture = architecture, LatentDim = 2, Channels = [4, 8], HiddenSizes = [16, 8],
    };

    [Theory]
    [InlineData(AutoencoderArchitecture.Conv, 1)]
    [InlineData(AutoencoderArchitecture.Conv, 3)]
    [InlineData(AutoencoderArchitecture.Mlp, 1)]
    [InlineData(AutoencoderArchitecture.Mlp, 3)]
    public void EncodeDecodeForward_Shapes_AtTinySizes(AutoencoderArchitecture architecture, int channels)
    {
        random.manual_seed(0);
        using var model = new Autoencoder(Tiny(architecture), imageChannels: channels, imageSize: 16);
        using var images = rand(3, channels, 16, 16);
        using var z = model.Encode(images);
        using var decoded = model.Decode(z);
        using var reconstruction = model.call(images);
        Assert.Equal([3L, 2], z.shape);
        Assert.Equal([3L, channels, 16, 16], decoded.shape);
        Assert.Equal([3L, channels, 16, 16], reconstruction.shape);
        Assert.True(decoded.allclose(reconstruction), "forward must equal Decode(Encode(x))");
    }

    [Theory]
    [InlineData(AutoencoderArchitecture.Conv)]
    [InlineData(AutoencoderArchitecture.Mlp)]
    public void Decode_OfFarAwayCodes_StaysInTheUnitInterval(AutoencoderArchitecture architecture)
    {
        random.manual_seed(1);
        using var model = new Autoencoder(Tiny(architecture), imageChannels: 3, imageSize: 8);
        using var z = randn(5, 2) * 100;
        using var images = model.Decode(z);
        Assert.True(images.min().item<float>() >= 0f);
        Assert.True(images.max().item<float>() <= 1f);
    }

    [Fact]
    public void Conv_DefaultConfig_IsFostersFashionMnistModel()
    {
        // Foster ch. 3: 32×32×1 → 16×16×32 → 8×8×64 → 4×4×128 → 2; decoder mirrors back to 32×32×1.
        using var model = new Autoencoder(new AutoencoderConfig(), imageChannels: 1, imageSize: 32);
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([32L, 1, 3, 3], shapes["encoder.0.weight"]);
        Assert.Equal([2L, 128 * 4 * 4], shapes["encoder.7.weight"]);
        Assert.Equal([128L * 4 * 4, 2], shapes["decoder.0.weight"]);
        Assert.Equal([1L, 32, 3, 3], shapes["decoder.8.weight"]);
        using var images = zeros(2, 1, 32, 32);
        using var z = model.Encode(images);
        Assert.Equal([2L, 2], z.shape);
    }

    [Fact]
    public void Conv_ImageSizeNotDivisible_NamesImageSizeAndChannels()
    {
        var error = Assert.Throws<ArgumentException>(() => new Autoencoder(Tiny(AutoencoderArchitecture.Conv), 1, 18));
        Assert.Contains("image_size 18", error.Message);
        Assert.Contains("channels [4, 8]", error.Message);
        Assert.Contains("2^2 = 4", error.Message);
    }

    [Fact]
    public void Mlp_AnyImageSize_IsAccepted()
    {
        using var model = new Autoencoder(Tiny(AutoencoderArchitecture.Mlp), 1, 18);
        using var images = zeros(1, 1, 18, 18);
        using var reconstruction = model.call(images);
        Assert.Equal([1L, 1, 18, 18], reconstruction.shape);
    }

    [Fact]
    public void Encode_WrongImageShape_SaysWhatItExpected()
    {
        using var model = new Autoencoder(Tiny(AutoencoderArchitecture.Conv), 1, 16);
        using var images = zeros(2, 3, 16, 16);
        var error = Assert.Throws<ArgumentException>(() => model.Encode(images));
        Assert.Contains("(B, 1, 16, 16)", error.Message);
    }

    [Fact]
    public void Validate_NamesEachBadKey()
    {
        var config = new AutoencoderConfig
        {
            Architecture = (AutoencoderArchitecture)7, LatentDim = 0, Channels = [32, 0], HiddenSizes = [],
        };
        Assert.Equal(["architecture", "latent_dim", "channels", "hidden_sizes"], config.Validate().Select(i => i.Key));
        var error = Assert.Throws<ArgumentException>(() => new Autoencoder(config, 1, 16));
        Assert.Contains("latent_dim: must be >= 1", error.Message);
        Assert.Empty(new AutoencoderConfig().Validate());
    }

    [Fact]
    public void ReconstructionLoss_IsMeanBinaryCrossEntropy()
    {
        using var scope = NewDisposeScope();
        var reconstruction = tensor(new[] { 0.9f, 0.2f, 0.5f, 0.99f }, [1, 1, 2, 2]);
        var target = tensor(new[] { 1f, 0f, 0.5f, 1f }, [1, 1, 2, 2]);
        double expected = -(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.5) + Math.Log(0.99)) / 4;
        Assert.Equal(expected, Autoencoder.ReconstructionLoss(reconstruction, target).item<float>(), 5);
    }

    [Theory]
    [InlineData(AutoencoderArchitecture.Conv)]
    [InlineData(AutoencoderArchitecture.Mlp)]
    public void Training_OnRenderedShapes_LowersTheReconstructionLoss(AutoencoderArchitecture architecture)
    {
        var spec = new ShapeSpec { Grayscale = true, MinShapes = 1, MaxShapes = 1 };
        var rng = new SplitMix64(42);
        var data = Enumerable.Range(0, 8).Select(_ => ShapeRenderer.Render(spec, 16, rng)).ToList();
        using var images = stack(data.Select(d => d.ToTensor()).ToArray());   // (8, 1, 16, 16)

        random.manual_seed(0);
        var config = Tiny(architecture) with { LatentDim = 4, Channels = [8, 16], HiddenSizes = [64, 32] };
        using var model = new Autoencoder(config, imageChannels: 1, imageSize: 16);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        // BCE against soft targets bottoms out at the targets' own entropy, so measure the excess over that floor.
        float floor;
        using (var self = Autoencoder.ReconstructionLoss(images, images)) floor = self.item<float>();
        float first = 0, last = 0;
        for (int step = 0; step < 120; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = Autoencoder.ReconstructionLoss(model.call(images), images);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0) first = last;
        }
        Assert.True(last - floor < 0.25f * (first - floor), $"loss went from {first} to {last}; floor {floor}");
    }
}

[CollectionDefinition(nameof(GlobalTorchRngCollection), DisableParallelization = true)]
public sealed class GlobalTorchRngCollection;
