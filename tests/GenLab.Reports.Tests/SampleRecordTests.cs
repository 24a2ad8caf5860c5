using GenLab.Reports.RunFolder;

namespace GenLab.Reports.Tests;

public class SampleRecordTests
{
    [Fact]
    public void Read_WhenLastLineTorn_SkipsIt()
    {
        using var run = new FakeRun();
        string path = Path.Combine(run.Dir, RunFiles.Samples);
        File.WriteAllText(path, "{\"step\": 500, \"split\": \"sample\", \"texts\": [\"a\", \"b\"]}\n{\"step\": 10");
        var record = Assert.Single(SampleRecord.Read(path));
        Assert.Equal(500, record.Step);
        Assert.Equal(["a", "b"], record.Texts);
    }

    [Fact]
    public void Read_WhenMiddleLineBad_ReportsLine()
    {
        using var run = new FakeRun();
        string path = Path.Combine(run.Dir, RunFiles.Samples);
        File.WriteAllText(path, "{\"step\": 1, \"texts\": []}\nnot json\n{\"step\": 2, \"texts\": []}\n");
        var e = Assert.Throws<InvalidDataException>(() => SampleRecord.Read(path));
        Assert.Contains(":2:", e.Message);
    }

    [Fact]
    public void Read_WhenMissing_IsEmpty() => Assert.Empty(SampleRecord.Read("/nonexistent/samples.jsonl"));
}
