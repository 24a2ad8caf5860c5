using System.Text.Json;
using GenLab.Models.Quality;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Quality;

[Collection(nameof(DrawerClassifierCollection))]
public sealed class SampleQualityTests(DrawerClassifierFixture trained, ITestOutputHelper output)
{
    /// <summary>Drawer items the classifier never saw (another seed): 4 per item, 64 in all.</summary>
    private static (Tensor Images, string[] Labels) Fresh(long seed = 21) => DrawerClassifierFixture.Drawer(countPerItem: 4, seed);

    [Fact]
    public void Measure_RealImagesAreOftenConfident_JunkRarely()
    {
        using var scope = NewDisposeScope();
        var (real, _) = Fresh();
        var (generated, _) = Fresh(seed: 22);
        using var generator = new Generator(1);
        var uniform = rand([64, 3, 16, 16], generator: generator);
        // Junk of kinds the outlier exposure never showed: Gaussian noise around mid-gray, flat colours, and two items
        // blended half and half.
        var gaussian = (randn([64, 3, 16, 16], generator: generator) * 0.25 + 0.5).clamp(0, 1);
        var flat = rand([64, 3, 1, 1], generator: generator).expand(64, 3, 16, 16);
        var blended = (real + real.roll(1, 0)) / 2;

        var good = SampleQuality.Measure(trained.Model, real, generated);
        var junk = new[] { uniform, gaussian, flat, blended }.Select(g => SampleQuality.Measure(trained.Model, real, g)).ToList();
        output.WriteLine($"real as generated: confident {good.ConfidentShare}, real {good.RealConfidentShare}, FID-lite {good.FidLite}");
        foreach (var (name, report) in new[] { "uniform", "gaussian", "flat", "blended" }.Zip(junk))
            output.WriteLine($"{name}: confident {report.ConfidentShare}, FID-lite {report.FidLite}, histogram [{string.Join(", ", report.Histogram)}]");

        Assert.True(good.RealConfidentShare >= 0.8, $"real confident share {good.RealConfidentShare}");
        Assert.True(good.ConfidentShare >= 0.8, $"fresh real images confident share {good.ConfidentShare}");
        Assert.True(good.ClassesCovered >= 15, $"{good.ClassesCovered} classes covered");
        Assert.All(junk.Take(3), r => Assert.True(r.ConfidentShare <= 0.1, $"noise confident share {r.ConfidentShare}"));
        Assert.All(junk, r => Assert.True(r.FidLite > 10 * good.FidLite, $"FID-lite junk {r.FidLite} vs real {good.FidLite}"));
        Assert.Equal(0.9, good.ConfidenceThreshold);
        Assert.Equal(64, good.FeatureDim);
        Assert.Equal((64, 64), (good.RealImages, good.GeneratedImages));
    }

    [Fact]
    public void Measure_HistogramsCountEveryImage_AndShowModeCollapse()
    {
        using var scope = NewDisposeScope();
        var (real, labels) = Fresh();
        // A collapsed "generator": the same four red pencils, over and over.
        string redPencil = labels.First(l => l == "lápis vermelho");
        var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == redPencil).ToArray();
        var collapsed = real.index_select(0, tensor(rows, ScalarType.Int64)).repeat(10, 1, 1, 1);   // (40, 3, 16, 16)

        var report = SampleQuality.Measure(trained.Model, real, collapsed, secondReal: Fresh(seed: 24).Images);
        var faithful = SampleQuality.Measure(trained.Model, real, Fresh(seed: 23).Images, secondReal: Fresh(seed: 24).Images);
        output.WriteLine($"collapsed: histogram [{string.Join(", ", report.Histogram)}], FID-lite {report.FidLite}; faithful FID-lite {faithful.FidLite}");

        // The real-vs-real floor does not depend on what was generated; a faithful generator comes near it, a collapsed
        // one far above it.
        Assert.Equal(report.FidLiteReal, faithful.FidLiteReal);
        Assert.True(faithful.FidLite < 3 * faithful.FidLiteReal!.Value, $"faithful {faithful.FidLite} vs floor {faithful.FidLiteReal}");
        Assert.True(report.FidLite > 3 * report.FidLiteReal!.Value, $"collapsed {report.FidLite} vs floor {report.FidLiteReal}");
        Assert.Equal(40, report.Histogram.Sum());
        Assert.Equal(64, report.RealHistogram.Sum());
        Assert.All(report.ConfidentHistogram.Zip(report.Histogram), p => Assert.True(p.First <= p.Second));
        Assert.Equal(16, report.ClassNames.Count);
        Assert.True(report.ClassesCovered <= 2, $"{report.ClassesCovered} classes covered");
        Assert.True(report.Histogram[report.ClassNames.ToList().IndexOf(redPencil)] >= 30);
        Assert.True(report.FidLite > 3 * faithful.FidLite, $"collapsed {report.FidLite} vs faithful {faithful.FidLite}");
        Assert.Null(report.MatchShare);
    }

    [Fact]
    public void Measure_WithIntendedClasses_CountsMatches()
    {
        using var scope = NewDisposeScope();
        var (real, _) = Fresh();
        var (generated, asked) = Fresh(seed: 24);
        var names = trained.Model.ClassNames;
        // Every prompt asks for the next class over: a generator that ignores its prompt.
        string[] wrong = [.. asked.Select(a => names[(names.ToList().IndexOf(a) + 1) % names.Count])];

        var right = SampleQuality.Measure(trained.Model, real, generated, asked);
        var ignored = SampleQuality.Measure(trained.Model, real, generated, wrong);

        Assert.True(right.MatchShare >= 0.9, $"match share {right.MatchShare}");
        Assert.True(ignored.MatchShare <= 0.1, $"match share {ignored.MatchShare}");
    }

    [Fact]
    public void Report_SerialisesWithEverythingAReportNeeds()
    {
        using var scope = NewDisposeScope();
        var (real, _) = Fresh();
        var report = SampleQuality.Measure(trained.Model, real, real[..8], threshold: 0.5);
        string json = JsonSerializer.Serialize(report, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        foreach (string key in new[] { "confident_share", "histogram", "class_names", "fid_lite", "note", "match_share" })
            Assert.Contains($"\"{key}\"", json);
        Assert.Contains("not Inception FID", report.Note);
        Assert.Equal(0.5, report.ConfidenceThreshold);
    }

    [Fact]
    public void Measure_BadInput_SaysWhatIsWrong()
    {
        using var scope = NewDisposeScope();
        var (real, labels) = Fresh();
        var error = Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, rand(8, 1, 16, 16)));
        Assert.Contains("(B, 3, 16, 16)", error.Message);
        error = Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, rand(8, 3, 32, 32)));
        Assert.Contains("(8, 3, 32, 32)", error.Message);
        error = Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, real[..8] * 2 - 1));
        Assert.Contains("(x + 1) / 2", error.Message);
        error = Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, real[..8], labels[..7]));
        Assert.Contains("7 intended classes for 8 generated images", error.Message);
        error = Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, real[..2], ["lápis vermelho", "lápis roxo"]));
        Assert.Contains("'lápis roxo'", error.Message);
        Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real[..1], real[..8]));
        Assert.Throws<ArgumentException>(() => SampleQuality.Measure(trained.Model, real, real[..1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleQuality.Measure(trained.Model, real, real[..8], threshold: 0));
    }
}
