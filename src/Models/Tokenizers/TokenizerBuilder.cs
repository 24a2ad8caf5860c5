namespace GenLab.Models.Tokenizers;

/// <summary>Builds the tokenizer a <see cref="TokenizerSpec"/> describes; trainable ones learn from <c>corpus</c>.</summary>
public static class TokenizerBuilder
{
    public static ITokenizer Build(TokenizerSpec spec, string corpus) => spec.Type switch
    {
        TokenizerType.CharLecture => new LectureCharTokenizer(),
        TokenizerType.Char => CharTokenizer.FromCorpus(corpus),
        TokenizerType.Word when spec.Dictionary is { } dictionary => WordTokenizer.FromDictionary(dictionary, spec.Punctuation, spec.Lowercase),
        TokenizerType.Word => WordTokenizer.FromCorpus(corpus, spec.Punctuation, spec.Lowercase, spec.MinFrequency),
        TokenizerType.Bpe => BytePairTokenizer.Train(corpus, spec.VocabSize, spec.Split),
        TokenizerType.Cl100k => PretrainedTokenizer.Cl100k(),
        TokenizerType.O200k => PretrainedTokenizer.O200k(),
        TokenizerType.Gpt2 => PretrainedTokenizer.Gpt2(),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Type, "unknown tokenizer type"),
    };
}
