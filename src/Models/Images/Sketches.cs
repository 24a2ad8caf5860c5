using static TorchSharp.torch;

namespace GenLab.Models.Images;

/// <summary>Crude drawings of real images, the kind of guide SDEdit turns into realistic pictures (Meng et al. 2022
/// start from stroke paintings): each image becomes a flat blob of its foreground's mean colour on its background's.</summary>
public static class Sketches
{
    /// <summary>Pixels farther than this (RMS over the channels, in [0, 1]) from the background colour are foreground.</summary>
    public const double ForegroundThreshold = 0.15;

    /// <summary>The blob of each image: (1) the background colour is the mean of the border pixels (items and digits
    /// sit inside the frame); (2) the foreground is every pixel far from it; (3) the foreground mask is coarsened to
    /// 1/<paramref name="coarseness"/> of the side (a block counts when a fifth of it is foreground) and smoothed back
    /// up, which rounds it into a silhouette without details; (4) the blob is painted with the foreground's mean
    /// colour, the rest with the background's. An image without foreground stays a flat background.</summary>
    /// <param name="images">(N, C, H, W) in [0, 1], H and W divisible by <paramref name="coarseness"/>.</param>
    /// <param name="coarseness">How many pixels of a side one block of the coarse mask spans.</param>
    /// <returns>(N, C, H, W) in [0, 1]. Caller owns it.</returns>
    public static Tensor ColourBlobs(Tensor images, int coarseness = 4)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected (N, C, H, W) images, got ({string.Join(", ", images.shape)})", nameof(images));
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (coarseness < 1 || h % coarseness != 0 || w % coarseness != 0 || h < 2 || w < 2)
            throw new ArgumentException($"images of {h}×{w} cannot be cut into blocks of {coarseness}", nameof(coarseness));
        using var scope = NewDisposeScope();
        var x = images.to(ScalarType.Float32);

        // 1. Background: the mean of the border pixels.
        var border = ones(1, 1, h, w);                                                      // (1, 1, H, W)
        border[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(1, h - 1), TensorIndex.Slice(1, w - 1)] = 0f;
        var background = (x * border).sum([2, 3], keepdim: true) / border.sum();            // (N, C, 1, 1)

        // 2. Foreground: far from the background colour.
        var distance = (x - background).square().mean([1], keepdim: true).sqrt();          // (N, 1, H, W)
        var foreground = (distance > ForegroundThreshold).to(ScalarType.Float32);          // (N, 1, H, W)

        // 3. Coarse silhouette: blocks at least a fifth foreground, smoothed back to full size.
        var coarse = (nn.functional.avg_pool2d(foreground, coarseness) >= 0.2).to(ScalarType.Float32);   // (N, 1, H/k, W/k)
        var blob = (nn.functional.interpolate(coarse, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false) >= 0.5)
            .to(ScalarType.Float32);                                                         // (N, 1, H, W)

        // 4. Flat colours: the foreground's mean (the background's where there is none).
        var count = foreground.sum([2, 3], keepdim: true);                                  // (N, 1, 1, 1)
        var colour = where(count > 0, (x * foreground).sum([2, 3], keepdim: true) / count.clamp_min(1), background);   // (N, C, 1, 1)
        return (blob * colour + (1 - blob) * background).expand(n, c, h, w).contiguous().MoveToOuterDisposeScope();   // (N, C, H, W)
    }
}
