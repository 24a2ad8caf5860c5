using GenLab.Runner.Commands;
using GenLab.Runner.Hosting;
using GenLab.Runner.Training;
using Microsoft.Extensions.Logging;

namespace GenLab.Runner.Tests.Hosting;

public sealed class ConsoleLogTests
{
    private static readonly DateTime At = new(2026, 12, 6, 23, 8, 5);

    [Fact]
    public void Format_Information_IsTimeAndMessageOnly()
    {
        Assert.Equal("23:08:05 step 250: val loss 2.4690", ConsoleLog.Format(At, LogLevel.Information, "step 250: val loss 2.4690"));
    }

    [Theory]
    [InlineData(LogLevel.Warning, "warning: no valid checkpoint")]
    [InlineData(LogLevel.Error, "error: no valid checkpoint")]
    public void Format_WarningsAndErrors_NameTheirLevel_WithoutTimeOrCategory(LogLevel level, string expected)
    {
        string line = ConsoleLog.Format(At, level, "no valid checkpoint");
        Assert.Equal(expected, line);
        Assert.DoesNotContain("GenLab.", line);
        Assert.DoesNotContain("[0]", line);
    }

    [Fact]
    public void Format_WithException_IsOneLine_WithTypeAndMessage()
    {
        string line = ConsoleLog.Format(At, LogLevel.Error, "run failed", new InvalidOperationException("boom"));
        Assert.Equal("error: run failed (InvalidOperationException: boom)", line);
    }

    [Fact]
    public void Format_MultiLineMessage_IndentsUnderTheMessage()
    {
        string text = ConsoleLog.Format(At, LogLevel.Information, "samples at step 4000:\n• ana\n• rui\n");
        Assert.Equal("23:08:05 samples at step 4000:\n         • ana\n         • rui", text);
    }

    [Fact]
    public void ProgressLine_HasStepShareRateElapsedAndEta_AndVerifyShowsIt()
    {
        string line = TrainingProgress.Line(400, 4000, 10.4, 52.41, 2.23519, etaSeconds: 68.7);
        Assert.Equal("step 400/4000 (10%)  loss 2.2352  52.4 steps/s  elapsed 00:00:10  ETA 00:01:09", line);
        Assert.True(VerifyCommand.IsNotable(ConsoleLog.Format(At, LogLevel.Information, line)));
    }

    [Fact]
    public void Bar_ShowsShareStepsElapsedEtaRateAndLoss_WithinTheWidth()
    {
        string bar = TrainingProgress.Bar("mlp-char", 1000, 4000, 12, 100, 1.92904, etaSeconds: 30, width: 200);
        Assert.Equal("mlp-char  25%|██████▎                  | 1000/4000 [00:00:12<00:00:30, 100.0 steps/s, loss 1.9290]", bar);
        Assert.True(TrainingProgress.Bar("mlp-char", 1000, 4000, 12, 100, 1.9, 30, width: 40).Length < 40);
        Assert.Contains("<--:--:--", TrainingProgress.Bar("x", 1, 10, 0, 0, 1, null, 200));
    }

    [Theory]
    [InlineData("error: data/names.txt: no such file", true)]
    [InlineData("warning: report not written: disk full", true)]
    [InlineData("23:08:05 ✗ best_val_loss = 2.5, expected ≤ 2.4", true)]
    [InlineData("23:08:05 step 250: val loss 2.4690 (best 2.4690 at step 250)", false)]
    [InlineData("23:08:05 checkpoint checkpoints/step-001000", false)]
    public void Verify_ShowsProgressAndProblems_NotEveryLine(string line, bool notable) =>
        Assert.Equal(notable, VerifyCommand.IsNotable(line));

    [Fact]
    public void SmoothedRate_WeighsWindowsByTheirTime_AndForgetsSlowly()
    {
        var rate = new SmoothedRate();
        Assert.Equal(0, rate.Value);
        rate.Add(100, 1);                       // 100 steps/s
        Assert.Equal(100, rate.Value, 6);
        rate.Add(10, 1);                        // one slow window
        Assert.InRange(rate.Value, 70, 75);     // (0.3·10 + 0.7·100) / 1 = 73, not 10
        rate.Add(5, 0);                         // a window with no time is ignored
        Assert.InRange(rate.Value, 70, 75);
    }

    [Fact]
    public void Progress_Eta_CountsTheEvaluationTimeSpentPerStepSoFar()
    {
        var logger = new Support.HookLogger();
        double wall = 0;
        var progress = new TrainingProgress(logger, "x", totalSteps: 100, startStep: 0, interactive: false, elapsed: () => wall);
        for (long step = 1; step <= 50; step++)
        {
            wall += 0.1 + (step % 10 == 0 ? 0.6 : 0);          // 10 steps/s of training, 0.6 s of evaluation every 10 steps
            progress.Step(step, 1.0, 0.1);
        }
        // 50 steps left: 5 s of training at 10 steps/s, and 0.06 s of evaluation per step (3 s) as so far.
        Assert.EndsWith("ETA 00:00:08", logger.Messages[^1].Message);
    }

    [Fact]
    public void Progress_WhenNotATerminal_LogsOneLinePerTenth()
    {
        var logger = new Support.HookLogger();
        var progress = new TrainingProgress(logger, "x", totalSteps: 95, startStep: 0, interactive: false, elapsed: () => 1);
        for (long step = 1; step <= 95; step++) progress.Step(step, 1.0, 0.01);
        Assert.Equal(10, logger.Messages.Count(m => m.Message.Contains(" ETA ", StringComparison.Ordinal)));
        Assert.Contains(logger.Messages, m => m.Message.StartsWith("step 95/95 (100%)", StringComparison.Ordinal));
    }
}
