using GenLab.Models.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Images;

public sealed class PatchEmbeddingTests
{
    [Fact]
    public void Forward_Shape_IsBatchTokensEmbedDim()
    {
        using var embed = new PatchEmbedding(inChannels: 3, embedDim: 10, patchSize: 4);
        using var images = randn(2, 3, 16, 12);
        using var tokens = embed.call(images);
        Assert.Equal([2L, 4 * 3, 10], tokens.shape);
    }

    [Fact]
    public void Forward_EqualsPatchifyThenLinear_WithTheConvWeights()
    {
        // ViT §3.1: the strided conv is a linear map E on each flattened patch. E = weight reshaped (D, C·P·P).
        random.manual_seed(0);
        using var embed = new PatchEmbedding(inChannels: 3, embedDim: 6, patchSize: 4);
        using var images = randn(2, 3, 8, 12);
        using var scope = NewDisposeScope();
        var tokens = embed.call(images);                                          // (B, N, D)
        var weight = embed.Projection.weight!.reshape(6, 3 * 4 * 4);              // (D, C·P·P)
        var expected = Patches.Patchify(images, 4).matmul(weight.t()) + embed.Projection.bias!;   // (B, N, D)
        Assert.Equal(expected.shape, tokens.shape);
        Assert.True(tokens.allclose(expected, rtol: 0, atol: 1e-5),
            $"max |diff| = {(tokens - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Forward_SizeNotDivisible_NamesTheSizes()
    {
        using var embed = new PatchEmbedding(3, 8, 16);
        using var images = zeros(1, 3, 224, 200);
        var error = Assert.Throws<ArgumentException>(() => embed.call(images));
        Assert.Contains("width 200", error.Message);
    }

    [Fact]
    public void Parameters_UseTimmNames()
    {
        using var embed = new PatchEmbedding(3, 8, 4);
        Assert.Equal(["proj.weight", "proj.bias"], embed.named_parameters().Select(p => p.name));
    }
}
