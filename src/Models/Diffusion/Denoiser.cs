using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

/// <summary>A caption as one vector: the mean of its words' learned embeddings (a bag of words is enough for
/// "lápis azul" or "dígito 7", where word order carries no meaning).</summary>
public sealed class CaptionEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;

    /// <param name="vocabularySize">Word ids 0 … V − 1 of the caption tokenizer.</param>
    /// <param name="dim">Width of the caption vector (the U-Net's cond_dim).</param>
    public CaptionEncoder(int vocabularySize, int dim) : base(nameof(CaptionEncoder))
    {
        embedding = nn.Embedding(vocabularySize, dim);
        RegisterComponents();
        using var _ = no_grad();
        nn.init.normal_(embedding.weight!, 0, 1);
    }

    /// <param name="tokens">(K, L) int64 word ids, padded.</param>
    /// <param name="mask">(K, L) float32: 1 for a word, 0 for padding; every row has at least one word.</param>
    /// <returns>(K, D).</returns>
    public override Tensor forward(Tensor tokens, Tensor mask)
    {
        var vectors = embedding.call(tokens);                                // (K, L, D)
        var summed = (vectors * mask.unsqueeze(-1)).sum(1);                  // (K, D)
        return summed / mask.sum(1, keepdim: true);                          // (K, D)
    }
}

/// <summary>What a diffusion run trains and samples with: the U-Net and, for text-to-image, the caption encoder
/// whose vectors condition it. One module, so the optimizer, the checkpoints and the EMA see both.</summary>
public sealed class Denoiser : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly UNet unet;
    private readonly CaptionEncoder? captions;

    /// <param name="vocabularySize">Words of the caption tokenizer; 0 for an unconditional model.</param>
    public Denoiser(UNetConfig config, int imageChannels, int imageSize, int vocabularySize) : base(nameof(Denoiser))
    {
        if ((config.CondDim > 0) != (vocabularySize > 0))
            throw new ArgumentException(
                $"a caption vocabulary ({vocabularySize} words) needs a conditional U-Net (cond_dim {config.CondDim}) and vice versa",
                nameof(vocabularySize));
        unet = new UNet(config, imageChannels, imageSize);
        captions = vocabularySize > 0 ? new CaptionEncoder(vocabularySize, config.CondDim) : null;
        CaptionVocabularySize = vocabularySize;
        RegisterComponents();
    }

    public UNet UNet => unet;

    /// <summary>Words of the caption vocabulary; 0 for an unconditional model.</summary>
    public int CaptionVocabularySize { get; }
    public bool IsConditional => captions is not null;

    /// <param name="xt">(B, C, H, W) noisy images.</param>
    /// <param name="t">(B) diffusion steps.</param>
    /// <param name="cond">(B, cond_dim) caption vectors, or null for the learned "no caption".</param>
    /// <returns>(B, C, H, W) predicted noise ε.</returns>
    public override Tensor forward(Tensor xt, Tensor t, Tensor? cond) => unet.call(xt, t, cond);

    /// <summary>Caption vectors for padded word ids.</summary>
    /// <param name="tokens">(K, L) int64.</param>
    /// <param name="mask">(K, L) float32.</param>
    /// <returns>(K, cond_dim).</returns>
    public Tensor EncodeCaptions(Tensor tokens, Tensor mask) =>
        (captions ?? throw new InvalidOperationException("an unconditional model has no caption encoder")).call(tokens, mask);

    /// <summary>Swaps the learned null condition into the rows where <paramref name="drop"/> is true.</summary>
    /// <param name="cond">(B, cond_dim).</param>
    /// <param name="drop">(B) bool.</param>
    public Tensor DropCondition(Tensor cond, Tensor drop) => unet.DropCondition(cond, drop);
}
