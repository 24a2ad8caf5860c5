using GenLab.Models.Configuration;

namespace GenLab.Models.Diffusion;

/// <summary>Architecture of the noise-prediction <see cref="UNet"/> (Ho et al. 2020, DDPM, appendix B). Level i
/// works at side size / 2^i with base_channels · channel_mults[i] channels; every level but the last ends in a
/// down-sampling step. The defaults are DDPM's CIFAR-10 shape scaled down for 32×32 grayscale images on a CPU
/// (1,112,801 parameters for one image channel, against DDPM's 35.7 M). Most of a step's work is at full
/// resolution: base_channels 16 with channel_mults [1, 2, 4] (729,905 parameters) does about 0.4× the multiply-adds.</summary>
public sealed record UNetConfig : IValidatable
{
    /// <summary>Channels of the first convolution and of level 0 (times channel_mults[0]); also the width of the
    /// sinusoidal time embedding (DDPM's <c>ch</c>).</summary>
    [Max(1024)]
    public int BaseChannels { get; init; } = 32;
    /// <summary>One entry per resolution level: that level's channels as a multiple of base_channels.</summary>
    [Max(64)]
    public IReadOnlyList<int> ChannelMults { get; init; } = [1, 2, 2];
    /// <summary>Residual blocks per level on the way down (the way up has one more, as DDPM).</summary>
    [Max(16)]
    public int BlocksPerLevel { get; init; } = 1;
    /// <summary>Levels (0 = full resolution) whose residual blocks are each followed by self-attention.
    /// [2] with three levels = attention at 8×8 for 32×32 images (DDPM used its 16×16 level).</summary>
    [Max(8)]
    public IReadOnlyList<int> AttentionLevels { get; init; } = [2];
    /// <summary>Self-attention between the two residual blocks of the middle (lowest-resolution) stage, as DDPM.</summary>
    public bool MidAttention { get; init; } = true;
    /// <summary>Attention heads; each level with attention must have a channel count divisible by it.</summary>
    [Max(64)]
    public int Heads { get; init; } = 4;
    /// <summary>GroupNorm groups (Wu &amp; He 2018); every level's channel count must be divisible by it.</summary>
    [Max(1024)]
    public int Groups { get; init; } = 8;
    /// <summary>Dropout inside each residual block, between its two convolutions (DDPM used 0.1 on CIFAR-10).</summary>
    public double Dropout { get; init; }
    /// <summary>Width of the time embedding after its MLP, added to every residual block (DDPM: 4 · ch).</summary>
    [Max(4096)]
    public int TimeEmbeddingDim { get; init; } = 128;
    /// <summary>Width of the caller's conditioning vector (caption or class embedding); 0 = unconditional.</summary>
    [Max(4096)]
    public int CondDim { get; init; }
    /// <summary>Channels of a conditioning image that the caller concatenates to x_t along the channel axis, so the
    /// first convolution sees C + concat_channels channels while the network still predicts ε for the C image
    /// channels alone (SR3, Saharia et al. 2021: the upsampled low-resolution image; Stable Diffusion's inpainting
    /// model adds its mask and masked image the same way). 0 = none.</summary>
    [Max(64)]
    public int ConcatChannels { get; init; }

    public IEnumerable<ConfigIssue> Validate()
    {
        if (BaseChannels < 4 || BaseChannels % 2 != 0)
            yield return new("base_channels", $"must be even and >= 4 (it is also the sinusoidal time embedding's width), got {BaseChannels}");
        if (ChannelMults.Count is 0 or > 8) yield return new("channel_mults", "list between 1 and 8 levels");
        foreach (int m in ChannelMults.Where(m => m < 1)) yield return new("channel_mults", $"{m} is not a positive multiplier");
        if (BlocksPerLevel < 1) yield return new("blocks_per_level", "must be >= 1");
        foreach (int level in AttentionLevels.Where(l => l < 0 || l >= ChannelMults.Count))
            yield return new("attention_levels", $"level {level} does not exist: channel_mults [{string.Join(", ", ChannelMults)}] "
                + $"has {ChannelMults.Count} levels (0 … {ChannelMults.Count - 1})");
        if (AttentionLevels.Distinct().Count() != AttentionLevels.Count) yield return new("attention_levels", "lists a level twice");
        if (Heads < 1) yield return new("heads", "must be >= 1");
        if (Groups < 1) yield return new("groups", "must be >= 1");
        if (Dropout is < 0 or >= 1) yield return new("dropout", "must be in [0, 1)");
        if (TimeEmbeddingDim < 1) yield return new("time_embedding_dim", "must be >= 1");
        if (CondDim < 0) yield return new("cond_dim", "must be >= 0 (0 = unconditional)");
        if (ConcatChannels < 0) yield return new("concat_channels", "must be >= 0 (0 = no conditioning image)");
        if (BaseChannels < 1 || Groups < 1 || Heads < 1) yield break;

        // GroupNorm runs on the first convolution's output (base_channels) and on every level's width.
        if (BaseChannels % Groups != 0)
            yield return new("groups", $"base_channels {BaseChannels} is not divisible by groups {Groups}");
        for (int level = 0; level < ChannelMults.Count; level++)
        {
            int channels = BaseChannels * ChannelMults[level];
            if (ChannelMults[level] >= 1 && channels % Groups != 0)
                yield return new("groups", $"level {level} has {BaseChannels} × {ChannelMults[level]} = {channels} channels, "
                    + $"not divisible by groups {Groups}");
            bool attends = AttentionLevels.Contains(level) || (MidAttention && level == ChannelMults.Count - 1);
            if (attends && ChannelMults[level] >= 1 && channels % Heads != 0)
                yield return new("heads", $"level {level} has {channels} channels, not divisible by heads {Heads}");
        }
    }

    /// <summary>Every level but the last halves the side with a stride-2 convolution and the way up doubles it
    /// back, so the skip connections only line up (same H, W for the concatenation) when the image side is
    /// divisible by 2^(levels − 1); an odd side would come back one pixel larger.</summary>
    public IEnumerable<ConfigIssue> ValidateImageSize(int imageSize)
    {
        int levels = ChannelMults.Count, factor = 1 << Math.Clamp(levels - 1, 0, 30);
        if (imageSize < 1)
            yield return new("image_size", $"must be >= 1, got {imageSize}");
        else if (imageSize % factor != 0)
            yield return new("channel_mults", $"image size {imageSize} is not divisible by 2^(levels - 1) = {factor}: "
                + $"channel_mults [{string.Join(", ", ChannelMults)}] has {levels} levels and each but the last halves the "
                + "side, so the skip connections would not line up; use a size divisible by " + factor + " or fewer levels");
    }
}
