namespace GenLab.Reports;

public sealed record ReportOptions
{
    /// <summary>EMA weight of the previous smoothed value, as TensorBoard's smoothing slider: 0 = raw, must be below 1.</summary>
    public double Smoothing { get; init; } = 0.9;

    public void Validate()
    {
        if (!(Smoothing >= 0 && Smoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "smoothing must be in [0, 1)");
    }
}
