using GenLab.Models.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>ViT's patch embedding (Dosovitskiy et al. 2021, Eq. 1: z₀ = [x_p¹E; x_p²E; …; x_pᴺE]): a Conv2d whose
/// kernel and stride both equal the patch size touches each patch exactly once, so it computes the same linear map
/// E ∈ ℝ^{(C·P²)×D} on every flattened patch as <see cref="Patches.Patchify"/> followed by a Linear layer, in one
/// kernel. The field is named <c>proj</c> as in timm's <c>PatchEmbed</c>, so imported ViT weights copy key by key.
/// Position embeddings and the [class] token belong to the model that uses this block.</summary>
public sealed class PatchEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public PatchEmbedding(int inChannels, int embedDim, int patchSize) : base(nameof(PatchEmbedding))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embedDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        TensorMemory.ForConvolutions();
        InChannels = inChannels;
        EmbedDim = embedDim;
        PatchSize = patchSize;
        proj = nn.Conv2d(inChannels, embedDim, kernel_size: patchSize, stride: patchSize);
        RegisterComponents();
    }

    public int InChannels { get; }
    public int EmbedDim { get; }
    public int PatchSize { get; }

    /// <summary>The convolution, for inspection (its weight is E reshaped to (D, C, P, P)).</summary>
    public Conv2d Projection => proj;

    /// <param name="images">(B, C, H, W) with H and W divisible by the patch size.</param>
    /// <returns>(B, N, D) patch tokens, N = (H/P)·(W/P), row-major.</returns>
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != InChannels)
            throw new ArgumentException(
                $"expected images of shape (B, {InChannels}, H, W), got ({string.Join(", ", images.shape)})", nameof(images));
        // A strided conv would silently drop a remainder row or column; refuse instead.
        Patches.CheckDivisible(images.shape[2], images.shape[3], PatchSize);

        using var scope = NewDisposeScope();
        var grid = proj.call(images);                                    // (B, D, H/P, W/P)
        var flat = grid.flatten(2);                                      // (B, D, N)
        return flat.transpose(1, 2).MoveToOuterDisposeScope();           // (B, N, D)
    }
}
