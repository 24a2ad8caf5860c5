using GenLab.Models.Configuration;
using GenLab.Models.Images;

namespace GenLab.Models.Vae;

/// <summary>How the reconstruction term of the VAE loss compares an image with its decoding.</summary>
public enum VaeReconstruction
{
    /// <summary>Binary cross-entropy, summed over pixels: −log p(x|z) for a Bernoulli per pixel (Foster's choice).</summary>
    Bce,
    /// <summary>Squared error, summed over pixels: −log p(x|z) for a Gaussian per pixel with variance ½, up to a
    /// constant. Per image it is far smaller than the BCE of the same images, so it takes a smaller β.</summary>
    Mse,
}

/// <summary>A variational autoencoder (Kingma &amp; Welling 2014) in Foster's convolutional layout. The default
/// (channels 32/64/128, latent 2, BCE, β = 1) is the plain evidence lower bound with a latent plane that can be drawn.</summary>
public sealed record VaeConfig : IValidatable
{
    [Max(4096)]
    public int LatentDim { get; init; } = 2;
    /// <summary>Output channels of each stride-2 Conv2d, in encoder order; each halves the image side, so the image
    /// size must be divisible by 2^(number of entries). The decoder mirrors them.</summary>
    [Max(1024)]
    public IReadOnlyList<int> Channels { get; init; } = [32, 64, 128];
    public VaeReconstruction Reconstruction { get; init; } = VaeReconstruction.Bce;
    /// <summary>Weight of the KL term (Higgins et al. 2017's β-VAE; 1 = the evidence lower bound). Both terms are
    /// sums per image, so β compares like with like at any image size. Foster's Keras VAE weighs the per-pixel
    /// <i>mean</i> BCE by 500, which for 32×32 images is β = 1024 / 500 ≈ 2 here.</summary>
    public double Beta { get; init; } = 1.0;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (LatentDim < 1) yield return new("latent_dim", "must be >= 1");
        if (Channels.Count is 0 or > 8) yield return new("channels", "list 1 to 8 channel counts (each halves the image side)");
        foreach (int c in Channels.Where(c => c < 1)) yield return new("channels", $"{c} is not a positive channel count");
        if (!Enum.IsDefined(Reconstruction)) yield return new("reconstruction", $"unknown reconstruction {Reconstruction}; use bce or mse");
        if (!(Beta >= 0) || double.IsInfinity(Beta)) yield return new("beta", "must be a number >= 0");
    }

    /// <summary>Why <paramref name="imageSize"/> does not fit the encoder, or null when it does.</summary>
    public string? ImageSizeProblem(int imageSize)
    {
        int factor = 1 << Math.Min(Channels.Count, 30);
        return imageSize % factor == 0 && imageSize >= factor ? null
            : $"image size {imageSize} must be a multiple of 2^{Channels.Count} = {factor}: each of the {Channels.Count} "
              + $"entries in channels [{string.Join(", ", Channels)}] halves the image side";
    }
}

/// <summary><c>kind: vae</c> — model section: the network and its loss, and how the latent space is judged.</summary>
public sealed record VaeExperimentConfig : IValidatable, IValidatableWithData
{
    public VaeConfig Network { get; init; } = new();
    /// <summary>Neighbours that vote in the k-NN accuracy of the label in latent space (on the means μ).</summary>
    [Max(1000)]
    public int KnnK { get; init; } = 5;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (KnnK < 1) yield return new("knn_k", "must be >= 1");
    }

    public IEnumerable<ConfigIssue> ValidateWithData(object data)
    {
        if (data is ImageDatasetConfig images && Network.ImageSizeProblem(images.Size) is { } problem)
            yield return new("data.size", $"{problem} (model.network.channels)");
    }
}
