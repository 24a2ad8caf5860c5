namespace GenLab.Models.Embeddings;

/// <summary>How far apart two vectors are. L1 (sum of absolute differences) and L2 (Euclidean) measure position;
/// cosine distance (1 − cos θ) measures direction only, which is why it is the usual choice for embeddings:
/// a frequent word's vector can be longer without meaning something different.</summary>
public enum Distance { L1, L2, Cosine }
