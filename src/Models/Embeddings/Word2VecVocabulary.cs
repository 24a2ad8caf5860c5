using System.Runtime.InteropServices;

namespace GenLab.Models.Embeddings;

/// <summary>A sentence-split corpus as vocabulary indices: sentence s is <c>Words[Starts[s]..Starts[s + 1]]</c>.</summary>
internal sealed record Word2VecCorpus(int[] Words, int[] Starts)
{
    public int Sentences => Starts.Length - 1;
}

/// <summary>The words kept for training: those seen at least min_count times, most frequent first (ties by ordinal
/// order, so the order is the same on every machine). Index 0 is the most frequent word, as in word2vec.c.</summary>
public sealed class Word2VecVocabulary
{
    private readonly Dictionary<string, int> _index;

    public IReadOnlyList<string> Words { get; }
    public IReadOnlyList<long> Counts { get; }
    /// <summary>Occurrences of kept words in the corpus (the "train_words" of word2vec.c).</summary>
    public long TotalCount { get; }
    public int Size => Words.Count;

    private Word2VecVocabulary(IReadOnlyList<string> words, IReadOnlyList<long> counts)
    {
        Words = words;
        Counts = counts;
        TotalCount = counts.Sum();
        _index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++) _index.Add(words[i], i);
    }

    /// <summary>Index of <paramref name="word"/>, or -1 if it is not in the vocabulary.</summary>
    public int IndexOf(string word) => _index.GetValueOrDefault(word, -1);

    /// <summary>Corpus count of <paramref name="word"/>; 0 if it is not in the vocabulary.</summary>
    public long Count(string word) => _index.TryGetValue(word, out int i) ? Counts[i] : 0;

    public static Word2VecVocabulary Build(IReadOnlyList<string[]> sentences, int minCount) => Build(sentences, minCount, out _);

    /// <summary>The vocabulary, and the corpus as its word indices with the words below min_count removed
    /// (word2vec.c's ReadWordIndex skips them too). One dictionary look-up per word: each distinct word gets a
    /// provisional index in order of first appearance, which the sort then maps to its vocabulary index.</summary>
    internal static Word2VecVocabulary Build(IReadOnlyList<string[]> sentences, int minCount, out Word2VecCorpus corpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var provisional = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new List<long>();
        var seen = new int[sentences.Sum(s => s.Length)];
        int total = 0;
        foreach (var sentence in sentences)
            foreach (var word in sentence)
            {
                ref int id = ref CollectionsMarshal.GetValueRefOrAddDefault(provisional, word, out bool exists);
                if (!exists)
                {
                    id = counts.Count;
                    counts.Add(0);
                }
                counts[id]++;
                seen[total++] = id;
            }
        if (total == 0) throw new InvalidDataException("word2vec: the corpus has no words.");
        var kept = provisional.Where(kv => counts[kv.Value] >= minCount)
            .OrderByDescending(kv => counts[kv.Value]).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        if (kept.Length == 0)
            throw new InvalidDataException(
                $"word2vec: no word occurs at least min_count = {minCount} times ({provisional.Count} distinct words, " +
                $"the most frequent seen {counts.Max()} times).");

        var index = new int[counts.Count];
        Array.Fill(index, -1);
        for (int i = 0; i < kept.Length; i++) index[kept[i].Value] = i;
        var words = new int[total];
        var starts = new int[sentences.Count + 1];
        int read = 0, written = 0;
        for (int s = 0; s < sentences.Count; s++)
        {
            for (int end = read + sentences[s].Length; read < end; read++)
                if (index[seen[read]] is var id and >= 0) words[written++] = id;
            starts[s + 1] = written;
        }
        corpus = new Word2VecCorpus(words[..written], starts);
        return new Word2VecVocabulary(kept.Select(kv => kv.Key).ToArray(), kept.Select(kv => counts[kv.Value]).ToArray());
    }

    /// <summary>A vocabulary read from a saved vector file, which stores words but not counts (all counts 0).</summary>
    internal static Word2VecVocabulary FromWords(IReadOnlyList<string> words) => new(words, new long[words.Count]);
}
