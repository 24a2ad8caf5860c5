using System.Text.Json;
using GenLab.Models.Gpt;
using GenLab.Models.Language;
using GenLab.Models.Tokenizers;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using GenLab.Runner.Training;
using static TorchSharp.torch;

namespace GenLab.Runner.Commands;

public static class SampleCommand
{
    public sealed record Options(string Prompt, string? Question, int MaxTokens, double Temperature, int? TopK, double? TopP,
        long Seed, bool NoCache)
    {
        /// <summary>Tokens one call may generate: minutes on a CPU for the models the labs train.</summary>
        public const int MaxMaxTokens = 100_000;

        public string? Problem() =>
            MaxTokens is < 1 or > MaxMaxTokens ? $"--max-tokens must be between 1 and {MaxMaxTokens}, got {MaxTokens}"
            : !double.IsFinite(Temperature) || Temperature is < 0 or > 100 ? $"--temperature must be between 0 (greedy) and 100, got {Temperature}"
            : TopK < 1 ? $"--top-k must be >= 1, got {TopK}"
            : TopP is { } p && !(p is > 0 and <= 1) ? $"--top-p must be in (0, 1], got {p}"
            : null;
    }

    /// <summary><c>sample &lt;run-dir|checkpoint&gt;</c>: text from a trained GPT — the run's best checkpoint (lowest
    /// validation loss), or the checkpoint folder given. <c>--question</c> wraps the text in the fine-tuning prompt
    /// template and prints only the answer.</summary>
    public static int Execute(string reference, Options options)
    {
        if (options.Problem() is { } problem) return CliErrors.Report(problem);
        Checkpoint checkpoint;
        try { checkpoint = InitFrom.Resolve(reference, "results", Directory.GetCurrentDirectory()); }
        catch (InvalidDataException e) { return CliErrors.Report(e.Message.Replace("init_from: ", "")); }

        GptModel model;
        ITokenizer tokenizer;
        try { (model, tokenizer) = GptCheckpoint.Load(checkpoint); }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or ArgumentException)
        {
            return CliErrors.Report($"{reference}: sample needs a GPT run or checkpoint ({e.Message})");
        }
        using var _ = model;
        model.eval();
        if (options.Question is { } question)
        {
            Console.WriteLine(GptExperiment.Answer(model, tokenizer, new QaExample(null, question, ""), options.MaxTokens));
            return ExitCodes.Ok;
        }
        IReadOnlyList<int> prompt;
        try { prompt = tokenizer.Encode(options.Prompt); }
        catch (ArgumentException e) { return CliErrors.Report($"--prompt: {e.Message} (this model's tokenizer is {tokenizer.Name})"); }
        if (prompt.Count == 0) prompt = tokenizer.Encode("\n") is { Count: > 0 } newline ? newline : [0];

        using var generator = new Generator((ulong)options.Seed);
        Console.WriteLine(options.Prompt + GptExperiment.Continue(model, tokenizer, prompt, options.MaxTokens, options.Temperature,
            options.TopK, options.TopP, generator, useCache: !options.NoCache));
        return ExitCodes.Ok;
    }
}
