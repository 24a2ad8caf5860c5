using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>Changing an image's resolution: (N, C, H, W) in [0, 1] to (N, C, size, size).</summary>
public static class Resampling
{
    /// <summary>Shrinks by averaging the input pixels each output pixel covers (PyTorch's <c>area</c> mode, an adaptive
    /// average pool): 32 → 8 takes the mean of each 4×4 block, as a camera sensor with bigger pixels would.</summary>
    /// <returns>(N, C, size, size). Caller owns it.</returns>
    public static Tensor Area(Tensor images, int size)
    {
        Check(images, size);
        return nn.functional.interpolate(images, size: [size, size], mode: InterpolationMode.Area);
    }

    /// <summary>Bicubic interpolation (Keys 1981 with a = −0.75, PyTorch's <c>bicubic</c>, half-pixel centres),
    /// clamped to [0, 1] because the cubic kernel overshoots at edges: the classical baseline of super-resolution.</summary>
    /// <returns>(N, C, size, size) in [0, 1]. Caller owns it.</returns>
    public static Tensor Bicubic(Tensor images, int size)
    {
        Check(images, size);
        using var scope = NewDisposeScope();
        return nn.functional.interpolate(images, size: [size, size], mode: InterpolationMode.Bicubic, align_corners: false)
            .clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Any image to size × size: <see cref="Area"/> along a side that shrinks, <see cref="Bicubic"/> when both
    /// grow (a non-square image is stretched to the square).</summary>
    public static Tensor Resize(Tensor images, int size)
    {
        Check(images, size);
        if (images.shape[2] == size && images.shape[3] == size) return images.clone();
        return images.shape[2] >= size || images.shape[3] >= size ? Area(images, size) : Bicubic(images, size);
    }

    private static void Check(Tensor images, int size)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected (N, C, H, W) images, got ({string.Join(", ", images.shape)})", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
    }
}
