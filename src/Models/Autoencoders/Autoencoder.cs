using GenLab.Models.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Autoencoders;

/// <summary>A deterministic image autoencoder (Hinton &amp; Salakhutdinov 2006; Foster, Generative Deep Learning
/// 2nd ed., ch. 3): an encoder squeezes a (C, H, W) image into a point z ∈ ℝ^latent_dim, a decoder maps z back to an
/// image in [0, 1], and both are trained together to reproduce the input. The latent space it learns is the
/// embeddings lab's first picture of "an image as a point"; decoding points between the training codes shows why a
/// plain autoencoder is not yet a generative model (gaps and holes), which motivates the VAE.
/// <para><see cref="Encode"/> and <see cref="Decode"/> are public so that lab code can plot codes and decode grids;
/// <c>forward</c> is <c>Decode(Encode(x))</c>.</para></summary>
public sealed class Autoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    /// <param name="config">Architecture and sizes; validated here.</param>
    /// <param name="imageChannels">C of the (C, H, W) images: 1 (gray) or 3 (RGB).</param>
    /// <param name="imageSize">H = W of the square images.</param>
    public Autoencoder(AutoencoderConfig config, int imageChannels, int imageSize) : base(nameof(Autoencoder))
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(imageChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        if (config.Architecture == AutoencoderArchitecture.Conv) TensorMemory.ForConvolutions();
        Config = config;
        ImageChannels = imageChannels;
        ImageSize = imageSize;
        (encoder, decoder) = config.Architecture switch
        {
            AutoencoderArchitecture.Conv => BuildConv(config, imageChannels, imageSize),
            AutoencoderArchitecture.Mlp => BuildMlp(config, imageChannels, imageSize),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Architecture, "unknown architecture"),
        };
        RegisterComponents();
    }

    public AutoencoderConfig Config { get; }
    public int ImageChannels { get; }
    public int ImageSize { get; }
    public int LatentDim => Config.LatentDim;

    /// <param name="x">(B, C, H, W) images in [0, 1] with C = <see cref="ImageChannels"/>, H = W = <see cref="ImageSize"/>.</param>
    /// <returns>(B, latent_dim) codes. Caller owns the result; <paramref name="x"/> is not disposed.</returns>
    public Tensor Encode(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != ImageChannels || x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            throw new ArgumentException(
                $"expected images of shape (B, {ImageChannels}, {ImageSize}, {ImageSize}), got ({string.Join(", ", x.shape)})",
                nameof(x));
        using var scope = NewDisposeScope();
        return encoder.call(x).MoveToOuterDisposeScope();                // (B, L)
    }

    /// <param name="z">(B, latent_dim) codes, e.g. from <see cref="Encode"/> or a grid over the latent plane.</param>
    /// <returns>(B, C, H, W) images in [0, 1] (sigmoid output). Caller owns the result.</returns>
    public Tensor Decode(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != LatentDim)
            throw new ArgumentException(
                $"expected codes of shape (B, {LatentDim}), got ({string.Join(", ", z.shape)})", nameof(z));
        using var scope = NewDisposeScope();
        return decoder.call(z).MoveToOuterDisposeScope();                // (B, C, H, W)
    }

    /// <param name="x">(B, C, H, W) images in [0, 1].</param>
    /// <returns>(B, C, H, W) reconstructions in [0, 1].</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var z = Encode(x);                                               // (B, L)
        return Decode(z).MoveToOuterDisposeScope();                      // (B, C, H, W)
    }

    /// <summary>Per-pixel binary cross-entropy, averaged over batch, channels and pixels — Foster's loss for
    /// images in [0, 1]. Unlike mean squared error it penalises confident mistakes near 0 and 1 steeply, which gives
    /// sharper edges; its minimum is the target's own entropy, not 0, unless the target is exactly 0/1.</summary>
    /// <param name="reconstruction">(B, C, H, W) decoder output in [0, 1].</param>
    /// <param name="target">(B, C, H, W) the input images in [0, 1].</param>
    /// <returns>Scalar loss. Caller owns it.</returns>
    public static Tensor ReconstructionLoss(Tensor reconstruction, Tensor target)
    {
        if (!reconstruction.shape.SequenceEqual(target.shape))
            throw new ArgumentException(
                $"reconstruction ({string.Join(", ", reconstruction.shape)}) and target ({string.Join(", ", target.shape)}) differ in shape",
                nameof(reconstruction));
        return nn.functional.binary_cross_entropy(reconstruction, target);   // ()
    }

    /// <summary>Foster's convolutional autoencoder (ch. 3, Fashion-MNIST 32×32): each encoder Conv2d (3×3, stride 2,
    /// padding 1) halves the side, so after n = len(channels) of them the map is (channels[^1], s, s) with
    /// s = size / 2ⁿ. The decoder mirrors it: Linear → (channels[^1], s, s), then ConvTranspose2d (3×3, stride 2,
    /// padding 1, output_padding 1 — exactly doubles the side) with output channels channels reversed
    /// (128 → 128 → 64 → 32 for the default), and a final 3×3 Conv2d to C channels with a sigmoid.</summary>
    private static (Sequential Encoder, Sequential Decoder) BuildConv(AutoencoderConfig config, int imageChannels, int imageSize)
    {
        var channels = config.Channels;
        int factor = 1 << channels.Count;
        if (channels.Count > 16 || imageSize % factor != 0)
            throw new ArgumentException(
                $"image_size {imageSize} must be divisible by 2^{channels.Count} = {factor}: each of the {channels.Count} "
                + $"entries in channels [{string.Join(", ", channels)}] halves the image side", nameof(imageSize));
        int side = imageSize / factor, last = channels[^1];

        var encoderLayers = new List<nn.Module<Tensor, Tensor>>();
        int inChannels = imageChannels;
        foreach (int c in channels)
        {
            encoderLayers.Add(nn.Conv2d(inChannels, c, kernel_size: 3, stride: 2, padding: 1));   // (B, c, H/2, W/2)
            encoderLayers.Add(nn.ReLU());
            inChannels = c;
        }
        encoderLayers.Add(nn.Flatten());                                                       // (B, c·s·s)
        encoderLayers.Add(nn.Linear(last * side * side, config.LatentDim));                    // (B, L)

        var decoderLayers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Linear(config.LatentDim, last * side * side),                                   // (B, c·s·s)
            nn.Unflatten(1, [last, side, side]),                                               // (B, c, s, s)
        };
        inChannels = last;
        foreach (int c in channels.Reverse())
        {
            decoderLayers.Add(nn.ConvTranspose2d(inChannels, c, kernel_size: 3, stride: 2, padding: 1,
                output_padding: 1));                                                           // (B, c, 2h, 2w)
            decoderLayers.Add(nn.ReLU());
            inChannels = c;
        }
        decoderLayers.Add(nn.Conv2d(inChannels, imageChannels, kernel_size: 3, stride: 1, padding: 1));   // (B, C, H, W)
        decoderLayers.Add(nn.Sigmoid());
        return (nn.Sequential(encoderLayers), nn.Sequential(decoderLayers));
    }

    /// <summary>Fully connected: flatten the C·H·W pixels, Linear + ReLU per hidden size, Linear to the latent; the
    /// decoder mirrors the widths and ends in a sigmoid and a reshape to (C, H, W).</summary>
    private static (Sequential Encoder, Sequential Decoder) BuildMlp(AutoencoderConfig config, int imageChannels, int imageSize)
    {
        int pixels = imageChannels * imageSize * imageSize;
        var encoderLayers = new List<nn.Module<Tensor, Tensor>> { nn.Flatten() };              // (B, C·H·W)
        int inFeatures = pixels;
        foreach (int h in config.HiddenSizes)
        {
            encoderLayers.Add(nn.Linear(inFeatures, h));                                       // (B, h)
            encoderLayers.Add(nn.ReLU());
            inFeatures = h;
        }
        encoderLayers.Add(nn.Linear(inFeatures, config.LatentDim));                            // (B, L)

        var decoderLayers = new List<nn.Module<Tensor, Tensor>>();
        inFeatures = config.LatentDim;
        foreach (int h in config.HiddenSizes.Reverse())
        {
            decoderLayers.Add(nn.Linear(inFeatures, h));                                       // (B, h)
            decoderLayers.Add(nn.ReLU());
            inFeatures = h;
        }
        decoderLayers.Add(nn.Linear(inFeatures, pixels));                                      // (B, C·H·W)
        decoderLayers.Add(nn.Sigmoid());
        decoderLayers.Add(nn.Unflatten(1, [imageChannels, imageSize, imageSize]));             // (B, C, H, W)
        return (nn.Sequential(encoderLayers), nn.Sequential(decoderLayers));
    }
}
