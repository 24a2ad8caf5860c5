using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace GenLab.Models.Embeddings;

/// <summary>The plain-text vector format of word2vec (<c>-binary 0</c>) and GloVe: one word per line followed by its
/// D numbers, separated by spaces. word2vec writes a first line "V D" (vocabulary size, dimension); GloVe does not.
/// Numbers use the invariant culture ('.' decimal point) whatever the machine's locale.</summary>
public static class EmbeddingText
{
    /// <summary>Reads words and their vectors as a (V, D) float32 tensor (caller owns it). A first line of exactly two
    /// integers is taken as the header and checked against the rows. Blank lines are skipped. Errors name the file and
    /// the 1-based line.</summary>
    public static (IReadOnlyList<string> Words, Tensor Vectors) Read(string path)
    {
        var words = new List<string>();
        var values = new List<float>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        (long Count, int Dim, int Line)? header = null;
        int dim = -1, lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            // The header is the first non-blank line, and only if it is two integers. A one-dimensional row whose word
            // is a number ("7 0.5" is a row; "7 5" would be read as a header) is the one ambiguous case — word2vec's
            // own reader makes the same call.
            if (words.Count == 0 && header is null && fields.Length == 2
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long count)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int headerDim))
            {
                if (headerDim < 1) throw new InvalidDataException($"{path}: line {lineNumber}: header dimension must be ≥ 1, got {headerDim}");
                header = (count, headerDim, lineNumber);
                dim = headerDim;
                continue;
            }
            if (dim < 0) dim = fields.Length - 1;
            if (dim < 1)
                throw new InvalidDataException($"{path}: line {lineNumber} has a word and no values");
            if (fields.Length - 1 != dim)
                throw new InvalidDataException(
                    $"{path}: line {lineNumber} has {fields.Length - 1} values, expected {dim}"
                    + (header is { } h ? $" (from the header on line {h.Line})" : " (from the first row)"));
            string word = fields[0];
            if (seen.TryGetValue(word, out int first))
                throw new InvalidDataException($"{path}: line {lineNumber} repeats the word '{word}' (first on line {first})");
            seen[word] = lineNumber;
            for (int i = 1; i < fields.Length; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"{path}: line {lineNumber}: value {i} of '{word}' is '{fields[i]}', not a finite number");
                values.Add(v);
            }
            words.Add(word);
        }

        if (words.Count == 0)
            throw new InvalidDataException(header is null
                ? $"{path}: the file is empty (no header and no vectors)"
                : $"{path}: the header on line {header.Value.Line} announces {header.Value.Count} words but no vector follows");
        if (header is { } hd && hd.Count != words.Count)
            throw new InvalidDataException($"{path}: the header on line {hd.Line} announces {hd.Count} words, but the file has {words.Count}");
        return (words, tensor(values.ToArray(), [words.Count, dim], ScalarType.Float32));   // (V, D)
    }

    /// <summary>Writes (V, D) <paramref name="vectors"/> with one word per row; floats in their shortest round-trip
    /// form, so <see cref="Read"/> gives back exactly the float32 values. The tensor is not disposed.</summary>
    public static void Write(string path, IReadOnlyList<string> words, Tensor vectors, bool header = true)
    {
        if (vectors.dim() != 2)
            throw new ArgumentException($"vectors must be (V, D), got shape ({string.Join(", ", vectors.shape)})", nameof(vectors));
        if (vectors.shape[0] != words.Count)
            throw new ArgumentException($"{words.Count} words but {vectors.shape[0]} vectors", nameof(words));
        foreach (string word in words)
            if (word.Length == 0 || word.Any(char.IsWhiteSpace))
                throw new ArgumentException($"word '{word}' is empty or contains whitespace, which the text format cannot hold", nameof(words));

        int dim = (int)vectors.shape[1];
        float[] data;
        using (var scope = NewDisposeScope())
            data = vectors.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        if (header) writer.WriteLine($"{words.Count} {dim}");
        var line = new StringBuilder();
        for (int row = 0; row < words.Count; row++)
        {
            line.Clear().Append(words[row]);
            for (int j = 0; j < dim; j++)
                line.Append(' ').Append(data[row * dim + j].ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }
}
