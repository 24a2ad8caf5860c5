using GenLab.Models.Configuration;

namespace GenLab.Models.Embeddings;

/// <summary><c>kind: drawer_encodings</c> — model section: the distances to compare the two encodings under.</summary>
public sealed record DrawerEncodingsConfig : IValidatable
{
    public IReadOnlyList<Distance> Distances { get; init; } = [Distance.L1, Distance.L2, Distance.Cosine];

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Distances.Count == 0) yield return new("distances", "list at least one of l1, l2, cosine");
        if (Distances.Distinct().Count() != Distances.Count) yield return new("distances", "lists a distance twice");
    }
}

/// <summary><c>kind: drawer_encodings</c> — data section: the drawer is built in, so nothing is needed.</summary>
public sealed record DrawerDataConfig;
