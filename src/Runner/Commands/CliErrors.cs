using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using GenLab.Runner.Config;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

/// <summary>One-screen errors on standard error, one line each, with the exit code for bad input.</summary>
public static class CliErrors
{
    public static int Report(ConfigException e)
    {
        Console.Error.WriteLine("error: invalid experiment");
        Console.Error.WriteLine(e.Message);
        return ExitCodes.BadInput;
    }

    public static int Report(string message)
    {
        Console.Error.WriteLine($"error: {OneLine(message)}");
        return ExitCodes.BadInput;
    }

    /// <summary>Command-line parse errors: each on its line, a hint where one helps, never the whole help text.</summary>
    public static int Report(ParseResult parse, IReadOnlyList<string> args)
    {
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {OneLine(error.Message)}");
        if (args.Count > 0 && parse.CommandResult.Command is RootCommand root
            && ConfigNames.Suggest(args[0], root.Subcommands.Select(c => c.Name)) is { } verb && verb != args[0])
            Console.Error.WriteLine($"       did you mean `genlab {verb}`?");
        for (int i = 0; i + 1 < args.Count; i++)
            if (args[i] == "--set" && !args[i + 1].Contains('='))
            {
                string value = i + 2 < args.Count && !args[i + 2].StartsWith('-') ? args[i + 2] : "<value>";
                Console.Error.WriteLine($"       --set takes key=value as one argument: --set {args[i + 1]}={value}");
                break;
            }
        string command = parse.CommandResult.Command is RootCommand ? "genlab" : $"genlab {parse.CommandResult.Command.Name}";
        Console.Error.WriteLine($"       see `{command} --help`");
        return ExitCodes.BadInput;
    }

    /// <summary>What a verb's own code did not catch. Unreadable files and folders are bad input (exit code 2); anything
    /// else is a bug in GenLab, reported with its stack trace, exit code 1.</summary>
    public static int Report(Exception e)
    {
        if (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException or ConfigException)
            return e is ConfigException config ? Report(config) : Report(e.Message);
        Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)} (a bug in GenLab; please report it with the trace below)");
        Console.Error.WriteLine(e);
        return ExitCodes.Failed;
    }

    /// <summary>Messages that wrap ("Must be one of:\n\t'auto'") as one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
