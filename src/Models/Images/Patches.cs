using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words", §3.1: an image x ∈ ℝ^{C×H×W} is cut into
/// N = HW/P² non-overlapping P×P patches, each flattened to a vector of C·P² values — the image's token sequence.
/// Patches are numbered row-major (left to right, then top to bottom); within a patch the values are ordered
/// (channel, row, column), the same order as a Conv2d kernel's weight (D, C, P, P) flattens, which is what makes
/// <see cref="PatchEmbedding"/> equal to Patchify followed by a linear map.</summary>
public static class Patches
{
    /// <summary>N = (H/P)·(W/P). Example: 224×224 with P = 16 gives 14·14 = 196 tokens.</summary>
    public static int TokenCount(int height, int width, int patchSize)
    {
        CheckDivisible(height, width, patchSize);
        return height / patchSize * (width / patchSize);
    }

    /// <param name="images">(B, C, H, W); not disposed.</param>
    /// <returns>(B, N, C·P·P), N = (H/P)·(W/P). Caller owns it.
    /// Example: a 1×1×4×4 image holding 0..15 with P = 2 gives patches [0,1,4,5], [2,3,6,7], [8,9,12,13], [10,11,14,15].</returns>
    public static Tensor Patchify(Tensor images, int patchSize)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"expected images of shape (B, C, H, W), got ({string.Join(", ", images.shape)})", nameof(images));
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        CheckDivisible(h, w, patchSize);
        long p = patchSize, gh = h / p, gw = w / p;

        using var scope = NewDisposeScope();
        var grid = images.reshape(b, c, gh, p, gw, p);                   // (B, C, H/P, P, W/P, P)
        var ordered = grid.permute(0, 2, 4, 1, 3, 5);                    // (B, H/P, W/P, C, P, P)
        return ordered.reshape(b, gh * gw, c * p * p).MoveToOuterDisposeScope();   // (B, N, C·P·P)
    }

    /// <summary>Inverse of <see cref="Patchify"/>.</summary>
    /// <param name="patches">(B, N, C·P·P) with N = (H/P)·(W/P); not disposed.</param>
    /// <returns>(B, C, H, W). Caller owns it.</returns>
    public static Tensor Unpatchify(Tensor patches, int patchSize, int height, int width)
    {
        if (patches.dim() != 3)
            throw new ArgumentException($"expected patches of shape (B, N, C·P·P), got ({string.Join(", ", patches.shape)})", nameof(patches));
        CheckDivisible(height, width, patchSize);
        long b = patches.shape[0], n = patches.shape[1], d = patches.shape[2];
        long p = patchSize, gh = height / p, gw = width / p;
        if (n != gh * gw)
            throw new ArgumentException(
                $"{n} patches cannot tile a {height}×{width} image with patch size {patchSize} (that needs {gh * gw})", nameof(patches));
        if (d % (p * p) != 0)
            throw new ArgumentException($"patch length {d} is not a multiple of P·P = {p * p}", nameof(patches));
        long c = d / (p * p);

        using var scope = NewDisposeScope();
        var grid = patches.reshape(b, gh, gw, c, p, p);                  // (B, H/P, W/P, C, P, P)
        var ordered = grid.permute(0, 3, 1, 4, 2, 5);                    // (B, C, H/P, P, W/P, P)
        return ordered.reshape(b, c, height, width).MoveToOuterDisposeScope();   // (B, C, H, W)
    }

    internal static void CheckDivisible(long height, long width, int patchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        if (height % patchSize != 0 || width % patchSize != 0)
            throw new ArgumentException(
                $"image height {height} and width {width} must both be divisible by the patch size {patchSize}");
    }
}
