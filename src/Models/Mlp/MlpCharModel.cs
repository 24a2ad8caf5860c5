using GenLab.Models.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Models.Mlp;

/// <summary>Bengio, Ducharme, Vincent &amp; Jauvin (2003), "A Neural Probabilistic Language Model": the previous
/// T characters are embedded, concatenated, passed through one tanh hidden layer, and a linear layer gives the
/// logits of the next character. The lecture's "the MLP is the base of generative models".</summary>
public sealed class MlpCharModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Linear hidden;
    private readonly Linear head;

    public MlpCharModel(MlpCharConfig config, int vocabularySize) : base(nameof(MlpCharModel))
    {
        Config = config;
        VocabularySize = vocabularySize;
        wte = nn.Embedding(vocabularySize, config.EmbeddingDim);
        hidden = nn.Linear(config.ContextLength * config.EmbeddingDim, config.HiddenSize);
        head = nn.Linear(config.HiddenSize, vocabularySize);
        RegisterComponents();
        using (no_grad())
        {
            // Small output weights make the first predictions near-uniform (loss ≈ ln V), as in makemore,
            // instead of confidently wrong; tanh stays out of saturation with Kaiming-scaled hidden weights.
            head.weight!.mul_(0.1);
            head.bias!.zero_();
        }
    }

    public MlpCharConfig Config { get; }
    public int VocabularySize { get; }

    /// <param name="contexts">(B, T) character ids.</param>
    /// <returns>(B, V) next-character logits.</returns>
    public override Tensor forward(Tensor contexts)
    {
        using var scope = NewDisposeScope();
        var emb = wte.call(contexts);                                   // (B, T, C)
        var flat = emb.view(emb.shape[0], -1);                          // (B, T*C)
        var h = hidden.call(flat).tanh();                               // (B, H)
        return head.call(h).MoveToOuterDisposeScope();                  // (B, V)
    }

    /// <summary>Generates <paramref name="count"/> lines, one character at a time, until the boundary token or
    /// <paramref name="maxLength"/> characters. Uses only <paramref name="generator"/>, never the global RNG,
    /// so sampling during training leaves the training run bit-identical.</summary>
    public IReadOnlyList<string> Sample(CharVocabulary vocabulary, int count, int maxLength, double temperature,
        Generator generator)
    {
        var lines = new List<string>(count);
        using var _ = no_grad();
        bool wasTraining = training;
        eval();
        for (int n = 0; n < count; n++)
        {
            var window = new long[Config.ContextLength];
            var ids = new List<int>();
            while (ids.Count < maxLength)
            {
                using var scope = NewDisposeScope();
                var logits = forward(tensor(window, [1, window.Length], ScalarType.Int64));   // (1, V)
                var probs = nn.functional.softmax(logits / temperature, dim: -1);            // (1, V)
                int next = (int)multinomial(probs, 1, generator: generator).item<long>();
                if (next == CharVocabulary.Boundary) break;
                ids.Add(next);
                Array.Copy(window, 1, window, 0, window.Length - 1);
                window[^1] = next;
            }
            lines.Add(vocabulary.Decode(ids));
        }
        train(wasTraining);
        return lines;
    }
}
