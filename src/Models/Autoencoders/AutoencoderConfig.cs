using GenLab.Models.Configuration;

namespace GenLab.Models.Autoencoders;

/// <summary>Which encoder/decoder pair an <see cref="Autoencoder"/> uses.</summary>
public enum AutoencoderArchitecture
{
    /// <summary>Fully connected: flatten → Linear/ReLU per hidden size → latent, mirrored back.</summary>
    Mlp,
    /// <summary>Foster (2023), Generative Deep Learning 2nd ed., ch. 3: stride-2 convolutions down,
    /// stride-2 transposed convolutions up.</summary>
    Conv,
}

/// <summary>An image autoencoder: x → z ∈ ℝ^latent_dim → x̂. The default (conv, latent 2) is Foster's Fashion-MNIST
/// autoencoder, whose 2-D latent space can be plotted directly.</summary>
public sealed record AutoencoderConfig : IValidatable
{
    public AutoencoderArchitecture Architecture { get; init; } = AutoencoderArchitecture.Conv;
    [Max(4096)]
    public int LatentDim { get; init; } = 2;
    /// <summary>Conv only: output channels of each stride-2 Conv2d, in encoder order; each halves the image side,
    /// so the image size must be divisible by 2^(number of entries).</summary>
    [Max(1024)]
    public IReadOnlyList<int> Channels { get; init; } = [32, 64, 128];
    /// <summary>Mlp only: widths of the encoder's hidden layers, in encoder order (the decoder mirrors them).</summary>
    [Max(65_536)]
    public IReadOnlyList<int> HiddenSizes { get; init; } = [256, 64];

    public IEnumerable<ConfigIssue> Validate()
    {
        if (!Enum.IsDefined(Architecture)) yield return new("architecture", $"unknown architecture {Architecture}; use mlp or conv");
        if (LatentDim < 1) yield return new("latent_dim", "must be >= 1");
        if (Channels.Count == 0) yield return new("channels", "list at least one channel count");
        foreach (int c in Channels.Where(c => c < 1)) yield return new("channels", $"{c} is not a positive channel count");
        if (HiddenSizes.Count == 0) yield return new("hidden_sizes", "list at least one hidden size");
        foreach (int h in HiddenSizes.Where(h => h < 1)) yield return new("hidden_sizes", $"{h} is not a positive layer width");
    }
}
