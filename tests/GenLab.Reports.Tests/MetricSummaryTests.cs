using static GenLab.Reports.Tests.FakeRun;

namespace GenLab.Reports.Tests;

public class MetricSummaryTests
{
    [Fact]
    public void Summarize_Loss_BestIsMinimumLastIsHighestStep()
    {
        var s = Assert.Single(MetricSummary.Summarize([Row(0, "val", "loss", 4.0), Row(200, "val", "loss", 2.0), Row(100, "val", "loss", 1.5)]));
        Assert.Equal((2.0, 200L), (s.Last, s.LastStep));
        Assert.Equal((1.5, 100L), (s.Best, s.BestStep));
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public void Summarize_Accuracy_BestIsMaximum()
    {
        var s = Assert.Single(MetricSummary.Summarize([Row(0, "val", "accuracy", 0.5), Row(10, "val", "accuracy", 0.9), Row(20, "val", "accuracy", 0.8)]));
        Assert.Equal((0.9, 10L), (s.Best, s.BestStep));
        Assert.Equal((0.8, 20L), (s.Last, s.LastStep));
    }

    [Fact]
    public void Summarize_BestTie_KeepsEarliestStep()
    {
        var s = Assert.Single(MetricSummary.Summarize([Row(10, "val", "loss", 1.0), Row(20, "val", "loss", 1.0)]));
        Assert.Equal(10L, s.BestStep);
    }

    [Fact]
    public void Summarize_LearningRate_HasNoBest()
    {
        var s = Assert.Single(MetricSummary.Summarize([Row(0, "train", "lr", 1e-4), Row(10, "train", "lr", 3e-4)]));
        Assert.Null(s.Best);
        Assert.Null(s.BestStep);
        Assert.Equal(3e-4, s.Last);
    }

    [Fact]
    public void Summarize_WhenValuesNonFinite_SkipsThemAndRecordsTheirSteps()
    {
        var s = Assert.Single(MetricSummary.Summarize([Row(0, "train", "loss", 3.0), Row(5, "train", "loss", double.NaN),
            Row(10, "train", "loss", double.NegativeInfinity), Row(15, "train", "loss", 2.0), Row(20, "train", "loss", double.PositiveInfinity)]));
        Assert.Equal((2.0, 15L), (s.Last, s.LastStep));
        Assert.Equal((2.0, 15L), (s.Best, s.BestStep));
        Assert.Equal([5L, 10L, 20L], s.NonFiniteSteps);
    }

    [Fact]
    public void Summarize_SplitsAndMetrics_OrderedLossLrThenOthersTrainBeforeVal()
    {
        var keys = MetricSummary.Summarize([Row(0, "val", "loss", 1), Row(0, "train", "steps_per_s", 1), Row(0, "train", "lr", 1),
            Row(0, "train", "loss", 1), Row(0, "test", "loss", 1)]).Select(s => $"{s.Split}/{s.Metric}");
        Assert.Equal(["train/loss", "val/loss", "test/loss", "train/lr", "train/steps_per_s"], keys);
    }

    [Theory]
    [InlineData("loss", MetricGoal.Minimize)]
    [InlineData("val_ppl", MetricGoal.Minimize)]
    [InlineData("accuracy", MetricGoal.Maximize)]
    [InlineData("top5_acc", MetricGoal.Maximize)]
    [InlineData("lr", MetricGoal.None)]
    [InlineData("tokens_per_s", MetricGoal.None)]
    public void GoalOf_KnownNames(string metric, MetricGoal goal) => Assert.Equal(goal, MetricSummary.GoalOf(metric));
}
