using GenLab.Models.Configuration;

namespace GenLab.Models.Autoencoders;

/// <summary><c>kind: autoencoder</c> — model section: the network, and how its latent space is judged.</summary>
public sealed record AutoencoderExperimentConfig : IValidatable
{
    public AutoencoderConfig Network { get; init; } = new();
    /// <summary>Neighbours that vote in the k-NN accuracy of the label in latent space.</summary>
    [Max(1000)]
    public int KnnK { get; init; } = 5;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (KnnK < 1) yield return new("knn_k", "must be >= 1");
    }
}
