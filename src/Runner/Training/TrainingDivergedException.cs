namespace GenLab.Runner.Training;

/// <summary>A loss, gradient or weight became NaN or ±Infinity. The message names the step and where it happened;
/// the run is marked failed (exit code 1) and its last checkpoint stays the newest valid one.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
