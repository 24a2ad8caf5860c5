using GenLab.Runner.Config;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

/// <summary>One-screen errors on standard error, with the exit code for bad input.</summary>
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
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.BadInput;
    }
}
