using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Export;
using GenLab.Runner.Hosting;
using GenLab.Runner.Training;

namespace GenLab.Runner.Commands;

/// <summary><c>export RUN [--format safetensors|pytorch] [--out DIR]</c>: a run's best checkpoint (lowest validation
/// loss; or the checkpoint folder given) as weights PyTorch loads, <c>config.json</c> and tokenizer files
/// (see <see cref="ModelExporter"/>). By default into <c>RUN/export/</c>.</summary>
public static class ExportCommand
{
    public static int Execute(string reference, ExportFormat format, string? outDirectory, DataSearch data)
    {
        Checkpoint checkpoint;
        try { checkpoint = InitFrom.Resolve(reference, "results", Directory.GetCurrentDirectory()); }
        catch (InvalidDataException e) { return CliErrors.Report(e.Message.Replace("init_from: ", "")); }

        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(checkpoint.Path.TrimEnd('/')))!;
        string target = outDirectory ?? Path.Combine(runDirectory, "export");
        IReadOnlyList<string> files;
        try { files = ModelExporter.Export(checkpoint, format, target, data); }
        catch (ConfigException e) { return CliErrors.Report(e); }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or FileNotFoundException or DataUnavailableException)
        {
            return CliErrors.Report($"{checkpoint.Path}: {e.Message}");
        }
        Console.WriteLine($"exported step {checkpoint.Step} of {runDirectory} to {target}:");
        foreach (string file in files) Console.WriteLine($"  {file}");
        return ExitCodes.Ok;
    }
}
