namespace GenLab.Models.Language;

/// <summary>How a <see cref="QaExample"/> becomes the text a GPT sees when fine-tuned and when asked a question:
/// <code>
/// ### Sistema:
/// {system}
///
/// ### Pergunta:
/// {question}
///
/// ### Resposta:
/// {response}
/// ###
/// </code>
/// The <c>### Sistema</c> block is left out when the example has no system prompt. The prompt is everything up to
/// and including <c>### Resposta:\n</c>; the response is followed by <see cref="EndMarker"/> (<c>"\n###\n"</c>).
///
/// The end marker is plain text, not a tokenizer special token, on purpose: it works unchanged with every
/// tokenizer (characters included), and the model learns to emit it because it is part of the supervised
/// response. Generation stops once the output contains it (<see cref="ResponseOf"/>).</summary>
public static class PromptTemplate
{
    public const string EndMarker = "\n###\n";

    /// <summary>The prompt for <paramref name="example"/>: system block (when any), question, and the response
    /// header, ready for the model to continue.</summary>
    public static string Prompt(QaExample example) => Prompt(example.System, example.Question);

    public static string Prompt(string? system, string question) =>
        (string.IsNullOrEmpty(system) ? "" : $"### Sistema:\n{system}\n\n")
        + $"### Pergunta:\n{question}\n\n### Resposta:\n";

    /// <summary>The supervised part: the response followed by the end marker.</summary>
    public static string Completion(QaExample example) => example.Response + EndMarker;

    /// <summary>The whole training text: <see cref="Prompt(QaExample)"/> + <see cref="Completion"/>.</summary>
    public static string Format(QaExample example) => Prompt(example) + Completion(example);

    /// <summary>The response in generated text that continues a prompt: everything before the end marker (or its
    /// first line, <c>"\n###"</c>, when generation stopped before the final newline), or the whole text when the
    /// model never emitted it.</summary>
    public static string ResponseOf(string generated)
    {
        int end = generated.IndexOf(EndMarker.TrimEnd('\n'), StringComparison.Ordinal);
        return end < 0 ? generated : generated[..end];
    }
}
