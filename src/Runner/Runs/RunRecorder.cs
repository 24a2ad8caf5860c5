using GenLab.Reports.RunFolder;

namespace GenLab.Runner.Runs;

/// <summary>Keeps <c>run.json</c> true: every change is written at once, atomically (temp file + rename).</summary>
public sealed class RunRecorder(RunFolder folder, RunInfo initial)
{
    private readonly Lock _gate = new();

    public RunFolder Folder { get; } = folder;
    public RunInfo Current { get; private set; } = initial;

    public void Update(Func<RunInfo, RunInfo> change)
    {
        lock (_gate)
        {
            Current = change(Current);
            Current.Write(Folder.Path);
        }
    }

    public void Finish(RunStatus status, string? error = null) =>
        Update(r => r with { Status = status, EndedUtc = DateTimeOffset.UtcNow, Error = error });
}
