namespace GenLab.Models.Embeddings;

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

    public static Word2VecVocabulary Build(IReadOnlyList<string[]> sentences, int minCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var sentence in sentences)
            foreach (var word in sentence)
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
                total++;
            }
        if (total == 0) throw new InvalidDataException("word2vec: the corpus has no words.");
        var kept = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        if (kept.Length == 0)
            throw new InvalidDataException(
                $"word2vec: no word occurs at least min_count = {minCount} times ({counts.Count} distinct words, " +
                $"the most frequent seen {counts.Values.Max()} times).");
        return new Word2VecVocabulary(kept.Select(kv => kv.Key).ToArray(), kept.Select(kv => kv.Value).ToArray());
    }

    /// <summary>A vocabulary read from a saved vector file, which stores words but not counts (all counts 0).</summary>
    internal static Word2VecVocabulary FromWords(IReadOnlyList<string> words) => new(words, new long[words.Count]);
}
