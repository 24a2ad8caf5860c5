namespace GenLab.Reports.RunFolder;

/// <summary>Names of the files a run folder holds. The runner writes them; reports and <c>list</c> read them.</summary>
public static class RunFiles
{
    public const string Experiment = "experiment.yaml";
    public const string RunInfo = "run.json";
    public const string Metrics = "metrics.csv";
    public const string Samples = "samples.jsonl";
    public const string Log = "log.txt";
    public const string Checkpoints = "checkpoints";
    public const string Report = "report";
    /// <summary>Experiment-specific report sections (see <see cref="ReportSections"/>).</summary>
    public const string Sections = "sections";
}
