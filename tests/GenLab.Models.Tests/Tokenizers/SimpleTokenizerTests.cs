using GenLab.Models.Tokenizers;

namespace GenLab.Models.Tests.Tokenizers;

/// <summary>The character and word tokenizers, on the lecture sentence and the usual edge strings.</summary>
public sealed class SimpleTokenizerTests : IDisposable
{
    private const string Lecture = "O arquiteto não reiniciou o servidor porque ele estava com preguiça.";
    private const string Mixed = "hello123!!!? (안녕하세요!) 😉";
    private readonly string _dir = Directory.CreateTempSubdirectory("genlab-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> EdgeStrings => new()
    {
        "", "a", "Inês e João não estão aqui; ação, coração, pão.", Mixed,
        "primeira linha\nsegunda linha\n\n\tcom tab e   espaços  ",
    };

    [Fact]
    public void LectureScheme_OnTheLectureSentence_GivesTheSlidesIds()
    {
        int[] slide = [15, 0, 1, 18, 17, 21, 9, 20, 5, 20, 15, 0, 14, 1, 15, 0, 18, 5, 9, 14, 9, 3, 9, 15, 21, 0, 15, 0,
            19, 5, 18, 22, 9, 4, 15, 18, 0, 16, 15, 18, 17, 21, 5, 0, 5, 12, 5, 0, 5, 19, 20, 1, 22, 1, 0, 3, 15, 13, 0, 16, 18,
            5, 7, 21, 9, 3, 1];
        var ids = new LectureCharTokenizer().Encode(Lecture);
        Assert.Equal(slide, ids);
        Assert.Equal(67, ids.Count);
        Assert.Equal(68, Lecture.Length);
        Assert.Equal(['.'], new LectureCharTokenizer().Dropped(Lecture));
    }

    [Theory]
    [MemberData(nameof(EdgeStrings))]
    public void LectureScheme_RoundTrip_GivesTheFoldedText(string text)
    {
        var tokenizer = new LectureCharTokenizer();
        string once = tokenizer.Decode(tokenizer.Encode(text));
        Assert.Equal(once, tokenizer.Decode(tokenizer.Encode(once)));   // idempotent: folding loses nothing twice
        Assert.All(once, c => Assert.True(c == ' ' || c is >= 'a' and <= 'z'));
    }

    [Theory]
    [MemberData(nameof(EdgeStrings))]
    public void CharTokenizer_RoundTrip_IsLossless(string text)
    {
        var tokenizer = CharTokenizer.FromCorpus(Lecture + Mixed + text + "x");
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void EveryTokenizer_RoundTripsAWholeFile()
    {
        string path = Path.Combine(_dir, "arquivo.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 200).Select(i => $"Linha {i}: {Lecture} {Mixed}\n\tfim; ação {i * 7}!\n")));
        string text = File.ReadAllText(path);
        var chars = CharTokenizer.FromCorpus(text);
        Assert.Equal(text, chars.Decode(chars.Encode(text)));
        var words = WordTokenizer.FromCorpus(text, Punctuation.Separate, lowercase: false);
        Assert.Equal(words.Words(text), words.Words(words.Decode(words.Encode(text))));  // same words back
        Assert.DoesNotContain(0, words.Encode(text));                                    // every word is known
        var lecture = new LectureCharTokenizer();
        Assert.Equal(lecture.Normalize(text), lecture.Decode(lecture.Encode(text)));
    }

    [Fact]
    public void CharTokenizer_CountsEmojiAndHangulAsOneToken_AndSortsByCodePoint()
    {
        var tokenizer = CharTokenizer.FromCorpus(Mixed);
        Assert.Equal(Mixed.EnumerateRunes().Count(), tokenizer.Encode(Mixed).Count);
        Assert.Equal(" ", tokenizer.Symbols[0]);
        Assert.Equal("😉", tokenizer.Symbols[^1]);
    }

    [Fact]
    public void CharTokenizer_UnknownCharacters_AreListed()
    {
        var error = Assert.Throws<ArgumentException>(() => CharTokenizer.FromCorpus("abc").Encode("abz!"));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("'!'", error.Message);
        Assert.Throws<ArgumentException>(() => CharTokenizer.FromCorpus(""));
    }

    [Fact]
    public void WordTokenizer_OnTheLectureSentence_Gives11WordsOr12WithSeparatePunctuation()
    {
        Assert.Equal(11, WordTokenizer.FromCorpus(Lecture, Punctuation.Attached, lowercase: false).Encode(Lecture).Count);
        var separate = WordTokenizer.FromCorpus(Lecture, Punctuation.Separate, lowercase: false);
        Assert.Equal(12, separate.Encode(Lecture).Count);
        Assert.Equal(Lecture, separate.Decode(separate.Encode(Lecture)));
    }

    [Theory]
    [MemberData(nameof(EdgeStrings))]
    public void WordTokenizer_RoundTrip_GivesWordsJoinedBySingleSpaces(string text)
    {
        var tokenizer = WordTokenizer.FromCorpus(Lecture + " " + text + " x", Punctuation.Attached, lowercase: false);
        Assert.Equal(string.Join(" ", tokenizer.Words(text)), tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void WordTokenizer_FromCorpus_MapsRareWordsToUnknown_AndOrdersByFrequency()
    {
        var tokenizer = WordTokenizer.FromCorpus("o gato e o rato e o cão", Punctuation.Attached, lowercase: false, minFrequency: 2);
        Assert.Equal([1, 2, 0], tokenizer.Encode("o e gato"));                         // o ×3, e ×2, gato ×1 → <unk>
        Assert.Equal(3, tokenizer.VocabularySize);
    }

    [Fact]
    public void WordTokenizer_FromDictionary_UsesLineNumbersAsIds()
    {
        string path = Path.Combine(_dir, "dicionario.txt");
        File.WriteAllLines(path, ["o", "arquiteto", "não", "reiniciou"]);
        var tokenizer = WordTokenizer.FromDictionary(path, Punctuation.Separate, lowercase: true);
        Assert.Equal([1, 2, 3, 4, 1, 0, 0], tokenizer.Encode("O arquiteto não reiniciou o servidor."));
    }

    [Fact]
    public void SaveLoad_RoundTripsEveryTokenizer()
    {
        ITokenizer[] tokenizers =
        [
            new LectureCharTokenizer(),
            CharTokenizer.FromCorpus(Lecture + Mixed + "\n"),
            WordTokenizer.FromCorpus(Lecture, Punctuation.Separate, lowercase: true),
            BytePairTokenizer.Train(Lecture + Mixed, 280, BpeSplit.Gpt4),
            PretrainedTokenizer.Cl100k(),
        ];
        foreach (var tokenizer in tokenizers)
        {
            string path = Path.Combine(_dir, tokenizer.GetType().Name + ".txt");
            tokenizer.Save(path);
            ITokenizer loaded = TokenizerFile.Load(path);
            Assert.IsType(tokenizer.GetType(), loaded);
            Assert.Equal(tokenizer.Encode(Lecture), loaded.Encode(Lecture));
            Assert.Equal(tokenizer.VocabularySize, loaded.VocabularySize);
        }
    }

    [Fact]
    public void Load_WrongKindOrVersionOrGarbage_IsAClearError()
    {
        string path = Path.Combine(_dir, "t.txt");
        new LectureCharTokenizer().Save(path);
        Assert.Contains("holds a 'char-lecture' tokenizer, expected 'word'", Assert.Throws<InvalidDataException>(() => WordTokenizer.Load(path)).Message);
        File.WriteAllText(path, "genlab-tokenizer char v9\n0041\n");
        Assert.Contains("format v9", Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(path)).Message);
        File.WriteAllText(path, "hello\n");
        Assert.Contains("not a GenLab tokenizer file", Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(path)).Message);
        File.WriteAllText(path, "genlab-tokenizer char v1\nzzzz\n");
        Assert.Contains(":2:", Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(path)).Message);
    }
}
