using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Tests;

/// <summary>Proves the native backend loads here (the Debian 12 GLIBCXX fix) and that a model actually learns.</summary>
public sealed class TorchLoadTests
{
    [Fact]
    public void Torch_LoadsAndComputes_MatrixProduct()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var product = a.matmul(a);                              // (2, 2)
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }

    [Fact]
    public void Torch_TrainsLinearRegression_LossFalls()
    {
        torch.manual_seed(3);
        using var layer = nn.Linear(3, 1);
        using var optimizer = optim.Adam(layer.parameters(), lr: 0.05);
        using var x = randn(64, 3);                              // (64, 3)
        using var trueW = tensor(new float[] { 2, -1, 0.5f }).reshape(3, 1);
        using var y = x.matmul(trueW) + 0.3f;                    // (64, 1)
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(layer.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.ToSingle();
            last = loss.ToSingle();
        }
        Assert.True(last < first * 0.01f, $"loss {first} -> {last}");
    }
}
