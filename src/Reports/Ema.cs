namespace GenLab.Reports;

/// <summary>Exponential moving average with TensorBoard's debiasing.</summary>
public static class Ema
{
    /// <summary>
    /// s_t = w·s_{t-1} + (1-w)·x_t with s_0 = 0, reported as s_t / (1 - w^t) so the first points are not pulled
    /// towards zero (the Adam bias correction, Kingma &amp; Ba 2015, eq. in Alg. 1). Example: [1, 0, 0] with w = 0.5
    /// gives [1, 1/3, 1/7]. Callers drop non-finite values first; one NaN would poison every later point.
    /// </summary>
    public static double[] Debiased(IReadOnlyList<double> values, double weight)
    {
        var smoothed = new double[values.Count];
        double last = 0, weightPower = 1;
        for (int t = 0; t < values.Count; t++)
        {
            last = last * weight + (1 - weight) * values[t];
            weightPower *= weight;
            smoothed[t] = last / (1 - weightPower);
        }
        return smoothed;
    }
}
