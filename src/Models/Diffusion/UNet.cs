using GenLab.Models.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

// The noise-prediction U-Net of DDPM (Ho et al. 2020, appendix B; Ronneberger et al. 2015), smallest block first.
// Module names, GroupNorm's eps of 1e-6 and the asymmetric padding of the down-sampling convolution follow
// pesser/pytorch_diffusion, the PyTorch port of DDPM's diffusion_tf code (temb.dense.0, down.0.block.0.norm1,
// down.0.attn.0.q, down.0.downsample.conv, mid.block_1, up.2.block.0.nin_shortcut, norm_out, conv_out): with heads 1
// a checkpoint of that layout has the same keys and shapes (no real DDPM checkpoint was tried). The PyTorch reference
// benchmarks/pytorch/unet_bench.py builds the same modules under the same names; the unet benchmark checks that. B = batch, C = channels, H = W = side, E = time embedding width, nh = heads,
// hs = C / nh, N = H·W positions.

/// <summary>The sinusoidal position embedding of the Transformer (Vaswani et al. 2017, §3.5) as DDPM applies it to
/// the diffusion step (diffusion_tf's <c>get_timestep_embedding</c>): for d = dim, half = d / 2 and
/// i = 0 … half − 1, frequency ωᵢ = 10000^(−i / (half − 1)), and emb(t) = [sin(t·ω₀) … sin(t·ω_{half−1}),
/// cos(t·ω₀) … cos(t·ω_{half−1})]. The frequencies run geometrically from 1 down to exactly 1/10000 (the
/// Transformer's 10000^(−2i/d) stops one step short and interleaves sin and cos instead of concatenating them).
/// Example: dim 4, t = 1 gives [sin 1, sin 10⁻⁴, cos 1, cos 10⁻⁴].</summary>
public sealed class SinusoidalEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly int dim;

    /// <param name="dim">Even, ≥ 4.</param>
    public SinusoidalEmbedding(int dim) : base(nameof(SinusoidalEmbedding))
    {
        if (dim < 4 || dim % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "the sinusoidal embedding's width must be even and >= 4");
        this.dim = dim;
        RegisterComponents();
    }

    /// <param name="t">(B) diffusion steps, any numeric dtype (converted to float32).</param>
    /// <returns>(B, dim) float32.</returns>
    public override Tensor forward(Tensor t)
    {
        int half = dim / 2;
        using var scope = NewDisposeScope();
        var exponent = arange(half, ScalarType.Float32, t.device) * (-Math.Log(10000.0) / (half - 1));   // (half)
        var angles = t.to_type(ScalarType.Float32).unsqueeze(1) * exponent.exp().unsqueeze(0);         // (B, half)
        return cat([angles.sin(), angles.cos()], 1).MoveToOuterDisposeScope();                        // (B, dim)
    }
}

/// <summary>DDPM's time embedding: sinusoidal features of the step (width base_channels), then
/// Linear → SiLU → Linear to width E.</summary>
internal sealed class TimeEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly SinusoidalEmbedding sinusoid;
    private readonly ModuleList<Linear> dense;

    public TimeEmbedding(UNetConfig config) : base(nameof(TimeEmbedding))
    {
        sinusoid = new SinusoidalEmbedding(config.BaseChannels);
        dense = nn.ModuleList(nn.Linear(config.BaseChannels, config.TimeEmbeddingDim),
            nn.Linear(config.TimeEmbeddingDim, config.TimeEmbeddingDim));
        RegisterComponents();
    }

    /// <param name="t">(B) diffusion steps.</param>
    /// <returns>(B, E).</returns>
    public override Tensor forward(Tensor t)
    {
        var emb = sinusoid.call(t);                                                     // (B, base)
        return dense[1].call(nn.functional.silu(dense[0].call(emb)));                   // (B, E)
    }
}

/// <summary>DDPM's residual block: GroupNorm → SiLU → 3×3 conv, plus a projection of the time embedding broadcast
/// over H, W, then GroupNorm → SiLU → dropout → 3×3 conv, added to the input (through a 1×1 conv when the channel
/// count changes).</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear temb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly Conv2d? nin_shortcut;

    public ResidualBlock(int inChannels, int outChannels, UNetConfig config) : base(nameof(ResidualBlock))
    {
        norm1 = Normalize(inChannels, config);
        conv1 = nn.Conv2d(inChannels, outChannels, kernel_size: 3, padding: 1);
        temb_proj = nn.Linear(config.TimeEmbeddingDim, outChannels);
        norm2 = Normalize(outChannels, config);
        dropout = nn.Dropout(config.Dropout);
        conv2 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, padding: 1);
        nin_shortcut = inChannels == outChannels ? null : nn.Conv2d(inChannels, outChannels, kernel_size: 1);
        RegisterComponents();
    }

    /// <summary>GroupNorm with DDPM's eps (1e-6; PyTorch's default is 1e-5) and an identity affine transform.</summary>
    internal static GroupNorm Normalize(int channels, UNetConfig config)
    {
        var norm = nn.GroupNorm(config.Groups, channels, eps: 1e-6);
        // TorchSharp 0.107's GroupNorm allocates weight and bias with torch.empty and never fills them (PyTorch and
        // TorchSharp's own docs say ones and zeros): uninitialised memory, NaN or 1e30 at random.
        using var _ = no_grad();
        nn.init.ones_(norm.weight);
        nn.init.zeros_(norm.bias!);
        return norm;
    }

    /// <param name="x">(B, C_in, H, W).</param>
    /// <param name="temb">(B, E) time (and condition) embedding, already through SiLU: DDPM applies the
    /// nonlinearity in every block, UNet.forward does it once for all of them.</param>
    /// <returns>(B, C_out, H, W).</returns>
    public override Tensor forward(Tensor x, Tensor temb)
    {
        var h = conv1.call(nn.functional.silu(norm1.call(x)));                          // (B, C_out, H, W)
        h = h + temb_proj.call(temb).unsqueeze(-1).unsqueeze(-1);                       // (B, C_out, H, W)
        h = conv2.call(dropout.call(nn.functional.silu(norm2.call(h))));                // (B, C_out, H, W)
        var skip = nin_shortcut is null ? x : nin_shortcut.call(x);                     // (B, C_out, H, W)
        return skip + h;                                                                // (B, C_out, H, W)
    }
}

/// <summary>Multi-head self-attention over the H·W positions of a feature map (DDPM's AttnBlock, with heads as in
/// Nichol &amp; Dhariwal 2021; heads 1 is DDPM's): GroupNorm, 1×1 convolutions for q, k and v,
/// softmax(q·kᵀ/√hs)·v per head, a 1×1 output convolution, and a residual connection.</summary>
internal sealed class AttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Conv2d q;
    private readonly Conv2d k;
    private readonly Conv2d v;
    private readonly Conv2d proj_out;
    private readonly int heads;

    public AttentionBlock(int channels, UNetConfig config) : base(nameof(AttentionBlock))
    {
        norm = ResidualBlock.Normalize(channels, config);
        q = nn.Conv2d(channels, channels, kernel_size: 1);
        k = nn.Conv2d(channels, channels, kernel_size: 1);
        v = nn.Conv2d(channels, channels, kernel_size: 1);
        proj_out = nn.Conv2d(channels, channels, kernel_size: 1);
        heads = config.Heads;
        RegisterComponents();
    }

    /// <param name="x">(B, C, H, W).</param>
    /// <returns>(B, C, H, W).</returns>
    public override Tensor forward(Tensor x)
    {
        long B = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
        var h = norm.call(x);                                                           // (B, C, H, W)
        var qh = q.call(h).view(B, heads, C / heads, H * W).transpose(-1, -2);          // (B, nh, N, hs)
        var kh = k.call(h).view(B, heads, C / heads, H * W).transpose(-1, -2);          // (B, nh, N, hs)
        var vh = v.call(h).view(B, heads, C / heads, H * W).transpose(-1, -2);          // (B, nh, N, hs)
        var y = nn.functional.scaled_dot_product_attention(qh, kh, vh);                 // (B, nh, N, hs)
        y = y.transpose(-1, -2).reshape(B, C, H, W);                                    // (B, C, H, W)
        return x + proj_out.call(y);                                                    // (B, C, H, W)
    }
}

/// <summary>Halves H and W with a stride-2 3×3 convolution (DDPM's <c>resamp_with_conv</c>). TensorFlow's "SAME"
/// padding, which DDPM used, pads one row and column at the bottom and right only; so does this.</summary>
internal sealed class Downsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public Downsample(int channels) : base(nameof(Downsample))
    {
        conv = nn.Conv2d(channels, channels, kernel_size: 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var padded = nn.functional.pad(x, [0, 1, 0, 1]);                                // (B, C, H+1, W+1)
        return conv.call(padded);                                                       // (B, C, H/2, W/2)
    }
}

/// <summary>Doubles H and W by nearest-neighbour copying, then a 3×3 convolution (avoids the checkerboard artefacts
/// of transposed convolutions; Odena et al. 2016).</summary>
internal sealed class Upsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public Upsample(int channels) : base(nameof(Upsample))
    {
        conv = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var up = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);   // (B, C, 2H, 2W)
        return conv.call(up);                                                           // (B, C, 2H, 2W)
    }
}

/// <summary>One resolution level on the way down: residual blocks, each followed by attention when the level has
/// it, then a down-sampling step (none at the lowest level). UNet.forward walks the lists itself because the skip
/// connections cross levels.</summary>
internal sealed class DownLevel : nn.Module
{
    internal readonly ModuleList<ResidualBlock> block;
    internal readonly ModuleList<AttentionBlock> attn;
    internal readonly Downsample? downsample;

    public DownLevel(ResidualBlock[] blocks, AttentionBlock[] attention, Downsample? downsample) : base(nameof(DownLevel))
    {
        block = nn.ModuleList(blocks);
        attn = nn.ModuleList(attention);
        this.downsample = downsample;
        RegisterComponents();
    }
}

/// <summary>One resolution level on the way up: like <see cref="DownLevel"/>, one block more, each block taking a
/// skip connection, and an up-sampling step at the end (none at level 0).</summary>
internal sealed class UpLevel : nn.Module
{
    internal readonly ModuleList<ResidualBlock> block;
    internal readonly ModuleList<AttentionBlock> attn;
    internal readonly Upsample? upsample;

    public UpLevel(ResidualBlock[] blocks, AttentionBlock[] attention, Upsample? upsample) : base(nameof(UpLevel))
    {
        block = nn.ModuleList(blocks);
        attn = nn.ModuleList(attention);
        this.upsample = upsample;
        RegisterComponents();
    }
}

/// <summary>The lowest-resolution stage: residual block, optional attention, residual block.</summary>
internal sealed class Middle : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ResidualBlock block_1;
    private readonly AttentionBlock? attn_1;
    private readonly ResidualBlock block_2;

    public Middle(int channels, UNetConfig config) : base(nameof(Middle))
    {
        block_1 = new ResidualBlock(channels, channels, config);
        attn_1 = config.MidAttention ? new AttentionBlock(channels, config) : null;
        block_2 = new ResidualBlock(channels, channels, config);
        RegisterComponents();
    }

    /// <param name="x">(B, C, H, W).</param>
    /// <param name="temb">(B, E), after SiLU.</param>
    public override Tensor forward(Tensor x, Tensor temb)
    {
        var h = block_1.call(x, temb);                                                  // (B, C, H, W)
        if (attn_1 is not null) h = attn_1.call(h);                                     // (B, C, H, W)
        return block_2.call(h, temb);                                                   // (B, C, H, W)
    }
}

/// <summary>The ε-prediction network of a diffusion model: ε̂ = UNet(x_t, t[, cond]) with the shape of x_t.
/// <para>Conditioning: <c>cond</c> is the caller's (B, cond_dim) caption or class embedding; a Linear projects it to
/// the time embedding's width and adds it there, so it reaches every residual block. For classifier-free guidance
/// (Ho &amp; Salimans 2022) a conditional U-Net owns a learned null vector <c>null_cond</c> (cond_dim, zero-initialised):
/// <c>cond: null</c> means "no condition" and uses it for the whole batch; <see cref="DropCondition"/> swaps it in for
/// chosen rows while training. Keeping it inside the network means the unconditional branch is trained and saved with
/// the model and no caller has to invent a null embedding. An unconditional U-Net (cond_dim 0) adds nothing and
/// rejects a cond.</para>
/// <para>An image condition (concat_channels &gt; 0) is not an argument: the caller concatenates it after x_t, so x
/// has C + concat_channels channels and ε̂ has C (see <see cref="UNetConfig.ConcatChannels"/>).</para></summary>
public sealed class UNet : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly TimeEmbedding temb;
    private readonly Linear? cond_proj;
    private readonly Parameter? null_cond;
    private readonly Conv2d conv_in;
    private readonly ModuleList<DownLevel> down;
    private readonly Middle mid;
    private readonly ModuleList<UpLevel> up;
    private readonly GroupNorm norm_out;
    private readonly Conv2d conv_out;

    /// <param name="config">Architecture; validated here.</param>
    /// <param name="imageChannels">C of the (C, H, W) images, and of the predicted noise: 1 (gray) or 3 (RGB); the input
    /// has <see cref="UNetConfig.ConcatChannels"/> more.</param>
    /// <param name="imageSize">H = W of the square images; must be divisible by 2^(levels − 1).</param>
    public UNet(UNetConfig config, int imageChannels, int imageSize) : base(nameof(UNet))
    {
        var issues = config.Validate().Concat(config.ValidateImageSize(imageSize)).ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(imageChannels, 1);
        TensorMemory.ForConvolutions();
        Config = config;
        ImageChannels = imageChannels;
        ImageSize = imageSize;
        int levels = config.ChannelMults.Count;
        int Width(int level) => config.BaseChannels * config.ChannelMults[level];

        temb = new TimeEmbedding(config);
        if (config.CondDim > 0)
        {
            cond_proj = nn.Linear(config.CondDim, config.TimeEmbeddingDim);
            null_cond = nn.Parameter(zeros(config.CondDim));
        }
        conv_in = nn.Conv2d(imageChannels + config.ConcatChannels, config.BaseChannels, kernel_size: 3, padding: 1);

        // Way down: remember the width of every feature map that becomes a skip connection.
        var skipWidths = new Stack<int>([config.BaseChannels]);
        var downLevels = new DownLevel[levels];
        int channels = config.BaseChannels;
        for (int level = 0; level < levels; level++)
        {
            var blocks = new ResidualBlock[config.BlocksPerLevel];
            for (int j = 0; j < blocks.Length; j++)
            {
                blocks[j] = new ResidualBlock(channels, Width(level), config);
                channels = Width(level);
                skipWidths.Push(channels);
            }
            Downsample? downsample = null;
            if (level < levels - 1)
            {
                downsample = new Downsample(channels);
                skipWidths.Push(channels);
            }
            downLevels[level] = new DownLevel(blocks, Attention(level, blocks.Length, channels, config), downsample);
        }
        down = nn.ModuleList(downLevels);
        mid = new Middle(channels, config);

        // Way up, lowest level first: each block takes one skip connection, concatenated along the channels.
        var upLevels = new UpLevel[levels];
        for (int level = levels - 1; level >= 0; level--)
        {
            var blocks = new ResidualBlock[config.BlocksPerLevel + 1];
            for (int j = 0; j < blocks.Length; j++)
            {
                blocks[j] = new ResidualBlock(channels + skipWidths.Pop(), Width(level), config);
                channels = Width(level);
            }
            upLevels[level] = new UpLevel(blocks, Attention(level, blocks.Length, channels, config),
                level > 0 ? new Upsample(channels) : null);
        }
        up = nn.ModuleList(upLevels);   // indexed by level, as DDPM: up.0 is the full-resolution level, run last

        norm_out = ResidualBlock.Normalize(channels, config);
        conv_out = nn.Conv2d(channels, imageChannels, kernel_size: 3, padding: 1);
        RegisterComponents();

        // The untrained network predicts ε̂ = 0 (loss E[ε²] = 1) instead of large random noise; DDPM scales its
        // last layer's initialisation to ~0 for the same reason.
        using var _ = no_grad();
        nn.init.zeros_(conv_out.weight!);
        nn.init.zeros_(conv_out.bias!);
    }

    public UNetConfig Config { get; }
    public int ImageChannels { get; }
    /// <summary>Channels of the input x: the image's and the concatenated condition's.</summary>
    public int InputChannels => ImageChannels + Config.ConcatChannels;
    public int ImageSize { get; }

    private static AttentionBlock[] Attention(int level, int count, int channels, UNetConfig config) =>
        config.AttentionLevels.Contains(level)
            ? [.. Enumerable.Range(0, count).Select(_ => new AttentionBlock(channels, config))]
            : [];

    /// <param name="x">(B, C', H, W) noisy images x_t, then the conditioning image when there is one:
    /// C' = <see cref="InputChannels"/>, H = W = <see cref="ImageSize"/>.</param>
    /// <param name="t">(B) diffusion steps (integer or float).</param>
    /// <param name="cond">(B, cond_dim) condition, or null for none (the learned null vector on a conditional U-Net).</param>
    /// <returns>(B, C, H, W) predicted noise ε̂. Caller owns it; no input is disposed.</returns>
    public override Tensor forward(Tensor x, Tensor t, Tensor? cond)
    {
        CheckInputs(x, t, cond);
        using var scope = NewDisposeScope();
        long B = x.shape[0];
        var emb = temb.call(t);                                                         // (B, E)
        if (cond_proj is not null)
            emb = emb + cond_proj.call(cond ?? null_cond!.unsqueeze(0).expand(B, -1));  // (B, E)
        emb = nn.functional.silu(emb);                                                  // (B, E)

        var h = conv_in.call(x);                                                        // (B, base, H, W) from (B, C', H, W)
        var skips = new Stack<Tensor>([h]);
        foreach (var level in down)
        {
            for (int j = 0; j < level.block.Count; j++)
            {
                h = level.block[j].call(h, emb);                                        // (B, C_i, H_i, W_i)
                if (level.attn.Count > 0) h = level.attn[j].call(h);                    // (B, C_i, H_i, W_i)
                skips.Push(h);
            }
            if (level.downsample is null) continue;
            h = level.downsample.call(h);                                               // (B, C_i, H_i/2, W_i/2)
            skips.Push(h);
        }

        h = mid.call(h, emb);                                                           // (B, C_L, H_L, W_L)

        for (int i = up.Count - 1; i >= 0; i--)
        {
            var level = up[i];
            for (int j = 0; j < level.block.Count; j++)
            {
                h = level.block[j].call(cat([h, skips.Pop()], 1), emb);                 // (B, C_i, H_i, W_i)
                if (level.attn.Count > 0) h = level.attn[j].call(h);                    // (B, C_i, H_i, W_i)
            }
            if (level.upsample is not null) h = level.upsample.call(h);                 // (B, C_i, 2H_i, 2W_i)
        }

        h = nn.functional.silu(norm_out.call(h));                                       // (B, base·mult₀, H, W)
        return conv_out.call(h).MoveToOuterDisposeScope();                              // (B, C, H, W)
    }

    /// <summary>Classifier-free guidance training (Ho &amp; Salimans 2022, Algorithm 1): the rows of
    /// <paramref name="cond"/> where <paramref name="drop"/> is true become the learned null vector, so one batch
    /// trains the conditional and the unconditional prediction.</summary>
    /// <param name="cond">(B, cond_dim).</param>
    /// <param name="drop">(B) bool.</param>
    /// <returns>(B, cond_dim); gradients reach the null vector through the dropped rows. Caller owns it.</returns>
    public Tensor DropCondition(Tensor cond, Tensor drop)
    {
        if (null_cond is null) throw new InvalidOperationException("this U-Net is unconditional (cond_dim 0)");
        if (cond.dim() != 2 || cond.shape[1] != Config.CondDim || drop.dim() != 1 || drop.shape[0] != cond.shape[0])
            throw new ArgumentException($"expected cond (B, {Config.CondDim}) and drop (B), got ({string.Join(", ", cond.shape)}) "
                + $"and ({string.Join(", ", drop.shape)})");
        using var scope = NewDisposeScope();
        return where(drop.to_type(ScalarType.Bool).unsqueeze(1), null_cond.unsqueeze(0), cond)
            .MoveToOuterDisposeScope();                                                 // (B, cond_dim)
    }

    private void CheckInputs(Tensor x, Tensor t, Tensor? cond)
    {
        if (x.dim() != 4 || x.shape[1] != InputChannels || x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            throw new ArgumentException($"expected images of shape (B, {InputChannels}, {ImageSize}, {ImageSize})"
                + (Config.ConcatChannels > 0 ? $" (x_t's {ImageChannels} channels, then the condition's {Config.ConcatChannels})" : "")
                + $", got ({string.Join(", ", x.shape)})", nameof(x));
        long B = x.shape[0];
        if (t.dim() != 1 || t.shape[0] != B)
            throw new ArgumentException($"expected diffusion steps of shape ({B}), got ({string.Join(", ", t.shape)})", nameof(t));
        if (cond is null) return;
        if (Config.CondDim == 0)
            throw new ArgumentException("this U-Net is unconditional (cond_dim 0) but a cond was given", nameof(cond));
        if (cond.dim() != 2 || cond.shape[0] != B || cond.shape[1] != Config.CondDim)
            throw new ArgumentException($"expected cond of shape ({B}, {Config.CondDim}), got ({string.Join(", ", cond.shape)})",
                nameof(cond));
    }
}
