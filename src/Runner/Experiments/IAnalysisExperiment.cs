using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Experiments;

/// <summary>An experiment without a training loop (a tokenizer comparison, a vocabulary sweep): it runs once and
/// writes its results as report sections (<see cref="GenLab.Reports.RunFolder.ReportSections"/>) and a JSON file.</summary>
public interface IAnalysisExperiment
{
    /// <returns>The named results (see <c>ResultCatalog</c>) that <c>expect:</c> checks.</returns>
    IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop);
}
