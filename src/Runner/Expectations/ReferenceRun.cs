using GenLab.Reports;
using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Expectations;

/// <summary>A committed reference of a lab (<c>results/reference/&lt;name&gt;/</c>), written by <c>genlab verify
/// --reference</c> from a run that met its expectations, so a student compares a run with the lecture's: the run's
/// <c>run.json</c> (environment, commit, CPU), resolved <c>experiment.yaml</c>, <c>results.json</c> (every result and
/// the expectation table), <c>metrics.csv</c> without the machine-speed rows (when the lab trains), the experiment's report sections, and
/// the report itself as Markdown with its figures (<c>report/README.md</c>). No checkpoints, no HTML with embedded
/// images: a few hundred kilobytes a lab.</summary>
public static class ReferenceRun
{
    /// <returns>The reference folder written.</returns>
    public static string Write(string runDirectory, string referenceRoot)
    {
        var info = RunInfo.Read(runDirectory);
        string target = Path.Combine(referenceRoot, info.Name);
        string temp = Path.Combine(referenceRoot, $".{info.Name}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);

        foreach (string file in new[] { RunFiles.RunInfo, RunFiles.Experiment, RunResults.FileName })
            File.Copy(Path.Combine(runDirectory, file), Path.Combine(temp, file));
        string metrics = Path.Combine(runDirectory, RunFiles.Metrics);
        if (File.Exists(metrics))                          // analyses (tokenizers, encodings) train nothing: no curves
            File.WriteAllLines(Path.Combine(temp, RunFiles.Metrics),
                File.ReadLines(metrics).Where(line => !line.Contains(",perf,", StringComparison.Ordinal)));
        string sections = Path.Combine(runDirectory, RunFiles.Sections);
        if (Directory.Exists(sections))
        {
            Directory.CreateDirectory(Path.Combine(temp, RunFiles.Sections));
            foreach (string file in Directory.EnumerateFiles(sections))
                File.Copy(file, Path.Combine(temp, RunFiles.Sections, Path.GetFileName(file)));
        }

        RunReport.Write(temp, new ReportOptions());
        // The Markdown report and its PNGs are what a reader opens; the HTML inlines every image a second time, and the
        // section images are in report/ already.
        File.Delete(Path.Combine(temp, RunFiles.Report, RunReport.Html));
        if (Directory.Exists(Path.Combine(temp, RunFiles.Sections)))
            foreach (string png in Directory.EnumerateFiles(Path.Combine(temp, RunFiles.Sections), "*.png")) File.Delete(png);

        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.Move(temp, target);
        return target;
    }
}
