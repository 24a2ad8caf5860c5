namespace GenLab.Reports.Tests;

public sealed class MetricPlotsTests
{
    [Theory]
    [InlineData("rss_mb", "Memory use", "resident memory (MB)")]
    [InlineData("steps_per_s", "Training speed", "training steps per second")]
    [InlineData("tokens_per_s", "Training throughput", "tokens per second")]
    [InlineData("loss", "Loss", "cross-entropy loss (nats)")]
    [InlineData("kl_loss", "KL divergence", "KL(q(z|x) ‖ N(0, I)) (nats per image)")]
    [InlineData("fid_lite", "Fid lite", "fid lite")]
    public void Metrics_HaveHumanTitles_AndAxisLabels(string metric, string title, string yLabel)
    {
        Assert.Equal(title, MetricPlots.TitleOf(metric));
        Assert.Equal(yLabel, MetricPlots.YLabelOf(metric));
    }

    [Theory]
    [InlineData("perf", "steps_per_s")]
    [InlineData("perf", "tokens_per_s")]
    [InlineData("perf", "rss_mb")]
    [InlineData("train", "loss")]
    [InlineData("val", "loss")]
    public void Legends_SayWhatWasMeasured_NotTheSplitsColumnName(string split, string metric)
    {
        string legend = MetricPlots.LegendOf(split, metric);
        Assert.NotEqual(split, legend);
        Assert.DoesNotContain("perf", legend);
    }
}
