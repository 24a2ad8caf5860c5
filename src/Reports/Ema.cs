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

    /// <summary>
    /// The same average over unevenly spaced points: each point's weight is w^(Δstep / stepsPerWeight), so
    /// <paramref name="weight"/> means "per <paramref name="stepsPerWeight"/> training steps" on every split. Without
    /// this, val points 50 steps apart smoothed at 0.9 per point lag the curve by hundreds of steps. Debiasing divides
    /// by 1 − Π w_t, which reduces to 1 − w^t when the spacing is even.
    /// </summary>
    public static double[] Debiased(IReadOnlyList<double> steps, IReadOnlyList<double> values, double weight, double stepsPerWeight)
    {
        if (steps.Count != values.Count) throw new ArgumentException($"{steps.Count} steps but {values.Count} values");
        var smoothed = new double[values.Count];
        double last = 0, weightProduct = 1;
        for (int t = 0; t < values.Count; t++)
        {
            double gap = t == 0 ? 0 : steps[t] - steps[t - 1];
            // A repeat of the same step (train loss logged by the loop and again at an eval) counts as one interval.
            double w = gap <= 0 ? weight : Math.Pow(weight, gap / stepsPerWeight);
            last = last * w + (1 - w) * values[t];
            weightProduct *= w;
            smoothed[t] = last / (1 - weightProduct);
        }
        return smoothed;
    }
}
