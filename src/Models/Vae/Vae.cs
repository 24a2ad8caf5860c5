using GenLab.Models.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Vae;

/// <summary>The VAE loss of one batch, each a scalar owned by the caller: <see cref="Total"/> =
/// <see cref="Reconstruction"/> + β·<see cref="Kl"/>, both terms summed over an image's pixels / latent dimensions
/// and averaged over the batch — nats per image, the negative evidence lower bound when β = 1 and the
/// reconstruction is BCE.</summary>
public readonly record struct VaeLoss(Tensor Total, Tensor Reconstruction, Tensor Kl);

/// <summary>A variational autoencoder (Kingma &amp; Welling, "Auto-Encoding Variational Bayes", 2014) in the
/// convolutional layout of Foster, Generative Deep Learning 2nd ed., ch. 3: the encoder maps an image to a Gaussian
/// q(z|x) = N(μ, diag σ²) instead of a point, a sample z = μ + σ·ε is decoded, and the loss adds to the reconstruction
/// the KL divergence of q(z|x) from the prior N(0, I). That term packs the codes around the origin without holes, so
/// decoding z ~ N(0, I) gives new images — what the plain <see cref="Autoencoders.Autoencoder"/> cannot do.
/// <para>Names follow Foster's Keras model (<c>z_mean</c>, <c>z_log_var</c>); the heads predict log σ² so that σ² =
/// exp(log σ²) is positive without a constraint.</para></summary>
public sealed class Vae : nn.Module<Tensor, (Tensor Reconstruction, Tensor Mean, Tensor LogVar)>
{
    private readonly Sequential encoder;        // (B, C, H, W) → (B, c·s·s)
    private readonly Linear z_mean;             // (B, c·s·s) → (B, L)
    private readonly Linear z_log_var;          // (B, c·s·s) → (B, L)
    private readonly Sequential decoder;        // (B, L) → (B, C, H, W) logits

    /// <param name="config">Architecture and loss; validated here.</param>
    /// <param name="imageChannels">C of the (C, H, W) images: 1 (gray) or 3 (RGB).</param>
    /// <param name="imageSize">H = W; must be a multiple of 2^len(channels).</param>
    public Vae(VaeConfig config, int imageChannels, int imageSize) : base(nameof(Vae))
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(imageChannels, 1);
        if (config.ImageSizeProblem(imageSize) is { } problem) throw new ArgumentException(problem, nameof(imageSize));
        TensorMemory.ForConvolutions();
        Config = config;
        ImageChannels = imageChannels;
        ImageSize = imageSize;

        // Foster's encoder: Conv2d 3×3, stride 2, padding 1 halves the side per entry of channels, so the last map
        // is (channels[^1], s, s) with s = size / 2ⁿ (32×32×1 → 16×16×32 → 8×8×64 → 4×4×128 by default).
        var channels = config.Channels;
        int side = imageSize >> channels.Count, last = channels[^1], flat = last * side * side;
        var down = new List<nn.Module<Tensor, Tensor>>();
        int inChannels = imageChannels;
        foreach (int c in channels)
        {
            down.Add(nn.Conv2d(inChannels, c, kernel_size: 3, stride: 2, padding: 1));       // (B, c, H/2, W/2)
            down.Add(nn.ReLU());
            inChannels = c;
        }
        down.Add(nn.Flatten());                                                               // (B, c·s·s)
        encoder = nn.Sequential(down);
        z_mean = nn.Linear(flat, config.LatentDim);
        z_log_var = nn.Linear(flat, config.LatentDim);

        // The decoder mirrors it: Linear → (c, s, s), ConvTranspose2d 3×3 stride 2 (output_padding 1 exactly doubles
        // the side) with the channels reversed, then a 3×3 Conv2d to C channels. It ends in logits; Decode applies the
        // sigmoid, and the BCE is computed from the logits, which is exact where sigmoid(·) rounds to 0 or 1.
        var up = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Linear(config.LatentDim, flat),                                                // (B, c·s·s)
            nn.Unflatten(1, [last, side, side]),                                              // (B, c, s, s)
        };
        inChannels = last;
        foreach (int c in channels.Reverse())
        {
            up.Add(nn.ConvTranspose2d(inChannels, c, kernel_size: 3, stride: 2, padding: 1, output_padding: 1));   // (B, c, 2h, 2w)
            up.Add(nn.ReLU());
            inChannels = c;
        }
        up.Add(nn.Conv2d(inChannels, imageChannels, kernel_size: 3, stride: 1, padding: 1));   // (B, C, H, W)
        decoder = nn.Sequential(up);
        RegisterComponents();
    }

    public VaeConfig Config { get; }
    public int ImageChannels { get; }
    public int ImageSize { get; }
    public int LatentDim => Config.LatentDim;

    /// <param name="x">(B, C, H, W) images in [0, 1].</param>
    /// <returns>μ and log σ² of q(z|x), each (B, latent_dim). Caller owns them; <paramref name="x"/> is not disposed.</returns>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != ImageChannels || x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            throw new ArgumentException(
                $"expected images of shape (B, {ImageChannels}, {ImageSize}, {ImageSize}), got ({string.Join(", ", x.shape)})",
                nameof(x));
        using var scope = NewDisposeScope();
        var h = encoder.call(x);                                                              // (B, c·s·s)
        return (z_mean.call(h).MoveToOuterDisposeScope(), z_log_var.call(h).MoveToOuterDisposeScope());   // (B, L) each
    }

    /// <summary>The reparameterisation trick (Kingma &amp; Welling 2014, eq. 10): z = μ + σ·ε with ε ~ N(0, I) and
    /// σ = exp(½ log σ²). The randomness sits in ε, outside the network, so gradients flow to μ and log σ².</summary>
    /// <param name="generator">Source of ε; torch's global generator when null.</param>
    /// <returns>(B, L) samples. Caller owns them.</returns>
    public static Tensor Reparameterize(Tensor mean, Tensor logVar, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var epsilon = randn(mean.shape, dtype: mean.dtype, device: mean.device, generator: generator);   // (B, L)
        return (mean + (0.5 * logVar).exp() * epsilon).MoveToOuterDisposeScope();                      // (B, L)
    }

    /// <param name="z">(B, latent_dim) codes: samples of q(z|x), of the prior, or a grid over the latent plane.</param>
    /// <returns>(B, C, H, W) images in [0, 1]. Caller owns them.</returns>
    public Tensor Decode(Tensor z)
    {
        using var scope = NewDisposeScope();
        return DecodeLogits(z).sigmoid().MoveToOuterDisposeScope();                              // (B, C, H, W)
    }

    /// <summary>One pass with a sampled z (torch's global generator).</summary>
    /// <returns>The decoded sample (B, C, H, W) in [0, 1], and μ, log σ² (B, L).</returns>
    public override (Tensor Reconstruction, Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (mean, logVar) = Encode(x);                                                       // (B, L) each
        var reconstruction = Decode(Reparameterize(mean, logVar));                            // (B, C, H, W)
        return (reconstruction.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }

    /// <summary>The loss of a batch with one z sampled per image (the single-sample estimate of Kingma &amp; Welling,
    /// eq. 10): reconstruction + β·KL, each summed per image and averaged over the batch (see <see cref="VaeLoss"/>).</summary>
    /// <param name="x">(B, C, H, W) images in [0, 1].</param>
    /// <param name="generator">Source of ε; pass a seeded one for evaluation that repeats exactly.</param>
    public VaeLoss Loss(Tensor x, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var (mean, logVar) = Encode(x);                                                       // (B, L) each
        var logits = DecodeLogits(Reparameterize(mean, logVar, generator));                   // (B, C, H, W)
        var reconstruction = ReconstructionLoss(logits, x, Config.Reconstruction).mean();     // ()
        var kl = KlDivergence(mean, logVar).mean();                                           // ()
        var total = reconstruction + Config.Beta * kl;                                        // ()
        return new(total.MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }

    /// <summary>KL(N(μ, diag σ²) ‖ N(0, I)) in closed form (Kingma &amp; Welling 2014, appendix B):
    /// −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²), zero exactly when μ = 0 and σ = 1.</summary>
    /// <param name="mean">(B, L) μ.</param>
    /// <param name="logVar">(B, L) log σ².</param>
    /// <returns>(B) nats per image. Caller owns it.</returns>
    public static Tensor KlDivergence(Tensor mean, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        return (-0.5 * (1 + logVar - mean.square() - logVar.exp()).sum(1)).MoveToOuterDisposeScope();   // (B)
    }

    /// <summary>−log p(x|z) up to a constant, summed over each image's channels and pixels.</summary>
    /// <param name="logits">(B, C, H, W) decoder output before the sigmoid.</param>
    /// <param name="target">(B, C, H, W) the input images in [0, 1].</param>
    /// <returns>(B) per image. Caller owns it.</returns>
    public static Tensor ReconstructionLoss(Tensor logits, Tensor target, VaeReconstruction kind)
    {
        if (!logits.shape.SequenceEqual(target.shape))
            throw new ArgumentException(
                $"logits ({string.Join(", ", logits.shape)}) and target ({string.Join(", ", target.shape)}) differ in shape", nameof(logits));
        using var scope = NewDisposeScope();
        var perPixel = kind switch
        {
            VaeReconstruction.Bce => nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None),
            VaeReconstruction.Mse => (logits.sigmoid() - target).square(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown reconstruction loss"),
        };                                                                                    // (B, C, H, W)
        return perPixel.sum([1, 2, 3]).MoveToOuterDisposeScope();                             // (B)
    }

    private Tensor DecodeLogits(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != LatentDim)
            throw new ArgumentException($"expected codes of shape (B, {LatentDim}), got ({string.Join(", ", z.shape)})", nameof(z));
        return decoder.call(z);                                                               // (B, C, H, W)
    }
}
