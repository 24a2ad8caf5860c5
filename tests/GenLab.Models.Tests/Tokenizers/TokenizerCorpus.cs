using System.Text;

namespace GenLab.Models.Tests.Tokenizers;

/// <summary>Test texts: edge strings and a few KB of varied text (prose, Portuguese, code, numbers, whitespace
/// runs, emoji, Hangul), plus tiny Shakespeare when the shared data folder is present.</summary>
internal static class TokenizerCorpus
{
    public const string Portuguese = "O arquiteto não reiniciou o servidor porque ele estava com preguiça.";

    public static readonly string[] EdgeStrings = ["", "a", Portuguese, "hello123!!!? (안녕하세요!) 😉"];

    public static string Varied()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 12; i++)
        {
            text.Append("The quick brown fox jumps over the lazy dog. It's what they'd've wanted, WE'LL see; I'M sure.\n");
            text.Append(Portuguese).Append(" Ação, coração, pão e maçã — você já viu?\n");
            text.Append("def encode(self, text):\n    ids = [b for b in text.encode('utf-8')]\n\treturn ids  # done\n\n\n");
            text.Append($"Numbers: {i * 12345}, 3.14159, 1,000,000 and 2024-11-{i + 10:00}; price ${i}.99\n");
            text.Append("spaces:     five   three  two \t tab\r\n  \n");
            text.Append("emoji 😉🙂👍🏽 and 안녕하세요 세계, 日本語のテキスト, Ελληνικά, русский текст.\n");
            text.Append("<html><body class=\"x\">{\"key\": [1, 2, 3]}</body></html>   \n");
        }
        return text.ToString();
    }

    /// <summary>tiny Shakespeare from the shared data folder beside the repository, or null when absent.</summary>
    public static string? TinyShakespeare()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "GenLab.slnx"))) continue;
            foreach (string relative in new[] { "../shared/data", "../../shared/data" })
            {
                string path = Path.Combine(dir.FullName, relative, "tinyshakespeare.txt");
                if (File.Exists(path)) return File.ReadAllText(path);
            }
            return null;
        }
        return null;
    }
}
