using GenLab.Runner.Training;

namespace GenLab.Runner.Experiments;

/// <summary>Where an experiment runs: the results folder (for <c>init_from: latest:…</c>), the directory relative
/// references resolve against, and the checkpoint a resumed run continues from.</summary>
public sealed record ExperimentContext(string ResultsRoot, string WorkingDirectory, Checkpoint? Resume = null);
