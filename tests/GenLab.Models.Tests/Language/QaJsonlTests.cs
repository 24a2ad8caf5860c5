using GenLab.Models.Language;

namespace GenLab.Models.Tests.Language;

public sealed class QaJsonlTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("genlab-qajsonl-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_folder, "qa.jsonl");
        File.WriteAllText(path, string.Join('\n', lines));
        return path;
    }

    [Fact]
    public void Read_OpenOrcaFormat_WithAndWithoutSystemPrompt()
    {
        string path = Write(
            """{"id": "niv.1", "system_prompt": "Seja breve.", "question": "O que é um token?", "response": "Um pedaço de texto."}""",
            "",
            """{"system_prompt": "", "question": "Quanto é 2 + 2?", "response": "2 + 2 = 4."}""",
            """{"question": "Plural de pão?", "response": "pães"}""");

        var examples = QaJsonl.Read(path);

        Assert.Equal(
            [new QaExample("Seja breve.", "O que é um token?", "Um pedaço de texto."),
             new QaExample(null, "Quanto é 2 + 2?", "2 + 2 = 4."),
             new QaExample(null, "Plural de pão?", "pães")],
            examples);
    }

    [Fact]
    public void Read_AlpacaFormat_JoinsInstructionAndInput()
    {
        string path = Write(
            """{"instruction": "Traduza para o inglês.", "input": "atenção", "output": "attention"}""",
            """{"instruction": "Diga olá.", "input": "", "output": "Olá!"}""",
            """{"instruction": "Conte até três.", "output": "1, 2, 3"}""");

        var examples = QaJsonl.Read(path);

        Assert.Equal(
            [new QaExample(null, "Traduza para o inglês.\n\natenção", "attention"),
             new QaExample(null, "Diga olá.", "Olá!"),
             new QaExample(null, "Conte até três.", "1, 2, 3")],
            examples);
    }

    [Fact]
    public void Read_InvalidJson_NamesFileAndLine()
    {
        string path = Write("""{"question": "a", "response": "b"}""", "", """{"question": "a", "response": """);
        var error = Assert.Throws<InvalidDataException>(() => QaJsonl.Read(path));
        Assert.StartsWith($"{path}:3: invalid JSON", error.Message);
    }

    [Fact]
    public void Read_LineWithNeitherFormatsKeys_NamesFileAndLine()
    {
        string path = Write("""{"question": "a", "response": "b"}""", """{"prompt": "a", "completion": "b"}""");
        var error = Assert.Throws<InvalidDataException>(() => QaJsonl.Read(path));
        Assert.Equal($"{path}:2: neither OpenOrca keys (question, response) nor Alpaca keys (instruction, output)", error.Message);
    }

    [Theory]
    [InlineData("""{"question": "a"}""", "missing key 'response'")]
    [InlineData("""{"instruction": "a", "input": "b"}""", "missing key 'output'")]
    [InlineData("""{"question": 3, "response": "b"}""", "'question' must be a string")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    public void Read_IncompleteLine_SaysWhatIsWrong(string line, string expected)
    {
        string path = Write(line);
        var error = Assert.Throws<InvalidDataException>(() => QaJsonl.Read(path));
        Assert.StartsWith($"{path}:1: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Write_ThenRead_RoundTripsAndKeepsAccentsUnescaped()
    {
        string path = Path.Combine(_folder, "out.jsonl");
        QaExample[] examples =
        [
            new("Você é um assistente.", "O que é \"atenção\"?\nResponda.", "A atenção mistura informação."),
            new(null, "Quanto é 3 × 4?", "3 × 4 = 12."),
        ];

        QaJsonl.Write(path, examples);

        Assert.Equal(examples, QaJsonl.Read(path));
        string text = File.ReadAllText(path);
        Assert.Contains("atenção", text);
        Assert.Contains("×", text);
        Assert.StartsWith("""{"system_prompt":""", text);
        Assert.Equal(2, text.Count(c => c == '\n'));
    }
}
