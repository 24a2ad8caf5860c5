using GenLab.Runner.Config;
using GenLab.Runner.Hosting;

namespace GenLab.Runner.Commands;

/// <summary><c>schema [--out FILE]</c>: the JSON Schema of experiment files (see <see cref="ConfigSchema"/>), on
/// standard output or written to a file — <c>genlab schema --out experiments/genlab.schema.json</c> refreshes the
/// shipped copy after a config record changes.</summary>
public static class SchemaCommand
{
    public static int Execute(string? outPath)
    {
        string schema = ConfigSchema.Generate();
        if (outPath is null)
        {
            Console.Out.Write(schema);
            return ExitCodes.Ok;
        }
        try { File.WriteAllText(outPath, schema); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return CliErrors.Report($"{outPath}: {e.Message}"); }
        Console.WriteLine($"wrote {outPath}");
        return ExitCodes.Ok;
    }
}
