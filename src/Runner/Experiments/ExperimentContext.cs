using GenLab.Runner.Training;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Experiments;

/// <summary>Where an experiment runs: the results folder (for <c>init_from: latest:…</c>), the directory relative
/// references resolve against, the checkpoint a resumed run continues from, and the run's log (lines logged before
/// the run folder exists reach its log.txt once it does).</summary>
public sealed record ExperimentContext(string ResultsRoot, string WorkingDirectory, Checkpoint? Resume = null, ILogger? Log = null);
