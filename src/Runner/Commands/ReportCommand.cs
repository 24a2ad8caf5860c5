using System.Text.Json;
using GenLab.Reports;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;

namespace GenLab.Runner.Commands;

public static class ReportCommand
{
    /// <summary><c>report &lt;run-dir&gt;</c>: regenerates report/ from the run's files alone.</summary>
    public static int Execute(string path)
    {
        string runDirectory;
        try { runDirectory = RunFolder.Open(path).Path; }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidDataException) { return CliErrors.Report(e.Message); }
        RunInfo info;
        try { info = RunInfo.Read(runDirectory); }
        catch (JsonException e) { return CliErrors.Report($"{Path.Combine(runDirectory, RunFiles.RunInfo)} is not valid JSON ({e.Message})"); }
        var options = new ReportOptions();
        try
        {
            var loaded = ExperimentLoader.Load(Path.Combine(runDirectory, RunFiles.Experiment), [], info.WorkingDirectory);
            options = new ReportOptions { Smoothing = loaded.Config.Report.Smoothing };
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"warning: {RunFiles.Experiment} does not load any more ({e.Errors.Count} problem(s)); using default report options");
        }
        var files = RunReport.Write(runDirectory, options);
        Console.WriteLine($"wrote {files.Count} files to {Path.Combine(runDirectory, RunFiles.Report)}");
        return ExitCodes.Ok;
    }
}
