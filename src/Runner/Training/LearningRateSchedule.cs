using GenLab.Runner.Config;

namespace GenLab.Runner.Training;

/// <summary>Learning rate as a pure function of the step, so resuming needs no schedule state.
/// Linear warmup from lr/(warmup+1) (nanoGPT's form), then constant, cosine (Loshchilov &amp; Hutter 2017, SGDR,
/// without restarts) or linear decay to <c>min_lr</c> at the last step.</summary>
public static class LearningRateSchedule
{
    public static double At(TrainingConfig t, long step)
    {
        if (step < t.WarmupSteps) return t.Lr * (step + 1) / (t.WarmupSteps + 1);
        if (t.LrSchedule == LrSchedule.Constant) return t.Lr;
        long decaySteps = Math.Max(1, t.Steps - t.WarmupSteps);
        double progress = Math.Clamp((double)(step - t.WarmupSteps) / decaySteps, 0, 1);
        double factor = t.LrSchedule == LrSchedule.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return t.MinLr + factor * (t.Lr - t.MinLr);
    }
}
