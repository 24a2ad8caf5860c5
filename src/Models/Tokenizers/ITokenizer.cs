namespace GenLab.Models.Tokenizers;

/// <summary>Text ↔ token ids. Every GenLab tokenizer (characters, words, byte-level BPE, GPT-4's cl100k) implements
/// this one small interface; training, where a tokenizer has it, is a static factory on the concrete class.</summary>
public interface ITokenizer
{
    /// <summary>Short display name, e.g. <c>char (lecture a=1…z=26)</c> or <c>bpe gpt4-regex 4096</c>.</summary>
    string Name { get; }

    /// <summary>Number of ids the tokenizer can produce (special tokens included).</summary>
    int VocabularySize { get; }

    IReadOnlyList<int> Encode(string text);

    /// <summary>Inverse of <see cref="Encode"/> where the tokenizer is lossless. Byte-level tokenizers decode an
    /// invalid UTF-8 byte sequence to U+FFFD, never throw.</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>Writes the tokenizer to a versioned text file that <see cref="TokenizerFile.Load"/> reads back.</summary>
    void Save(string path);
}
