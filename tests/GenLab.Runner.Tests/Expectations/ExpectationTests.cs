using GenLab.Runner.Config;
using GenLab.Runner.Expectations;
using GenLab.Runner.Tests.Experiments;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Expectations;

public sealed class ExpectationTests
{
    [Theory]
    [InlineData(0.9, null, null, 0.0, 0.9, true)]
    [InlineData(0.9, null, null, 0.0, 0.8999999, false)]
    [InlineData(null, 1.92, null, 0.0, 1.92, true)]
    [InlineData(null, 1.92, null, 0.0, 1.9200001, false)]
    [InlineData(null, null, 68.0, 0.0, 68, true)]
    [InlineData(null, null, 68.0, 0.0, 67, false)]
    [InlineData(null, null, 2.0, 0.5, 2.5, true)]
    [InlineData(null, null, 2.0, 0.5, 1.4999, false)]
    [InlineData(0.1, 0.3, null, 0.0, 0.2, true)]
    [InlineData(0.1, 0.3, null, 0.0, 0.31, false)]
    public void Holds_AtItsLimitAndNotJustPastIt(double? min, double? max, double? value, double tolerance, double result, bool holds) =>
        Assert.Equal(holds, new Expectation { Min = min, Max = max, Value = value, Tolerance = tolerance }.Holds(result));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Holds_NeverForANonFiniteResult(double result)
    {
        Assert.False(new Expectation { Min = double.MinValue }.Holds(result));
        Assert.False(new Expectation { Max = double.MaxValue }.Holds(result));
    }

    [Fact]
    public void Rule_ReadsAsPeopleWriteIt()
    {
        Assert.Equal("≥ 0.9", new Expectation { Min = 0.9 }.Rule);
        Assert.Equal("≤ 1.92", new Expectation { Max = 1.92 }.Rule);
        Assert.Equal("= 68", new Expectation { Value = 68 }.Rule);
        Assert.Equal("0 ± 1E-06", new Expectation { Value = 0, Tolerance = 1e-6 }.Rule);
        Assert.Equal("0.1 … 0.3", new Expectation { Min = 0.1, Max = 0.3 }.Rule);
    }

    [Fact]
    public void Validate_RefusesEmptyAndContradictoryRules()
    {
        Assert.Contains(new Expectation().Validate(), i => i.Key == "min");
        Assert.Contains(new Expectation { Value = 1, Min = 0 }.Validate(), i => i.Key == "value");
        Assert.Contains(new Expectation { Min = 2, Max = 1 }.Validate(), i => i.Key == "min");
        Assert.Contains(new Expectation { Min = 2, Tolerance = 1 }.Validate(), i => i.Key == "tolerance");
    }

    public static TheoryData<string> ShippedFiles() => ShippedExperimentsTests.ExperimentFiles();

    /// <summary>Every expectation a shipped experiment states, checked through <see cref="RunResults.Check"/> with a
    /// result just inside its limit (reproduced) and just outside (not reproduced), so no stated limit is mistyped
    /// into one that cannot fail; the same for what a CI variant states (its <c>ci: expect:</c>).</summary>
    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void EveryShippedExpectation_PassesJustInsideItsLimit_AndFailsJustOutside(string relativePath)
    {
        var loaded = ShippedExperimentsTests.LoadShipped(relativePath);
        CheckEachLimit(relativePath, loaded.Config);
        if (loaded.HasCiVariant)
            CheckEachLimit($"{relativePath} (CI variant)",
                ExperimentLoader.Load(Path.Combine(Repository.Experiments, relativePath), [], ci: true).Config);
    }

    private static void CheckEachLimit(string relativePath, ExperimentConfig config)
    {
        foreach (var (name, e) in config.Expect ?? new Dictionary<string, Expectation>())
        {
            double step = Math.Max(1e-9, 1e-6 * Math.Abs(e.Value ?? e.Min ?? e.Max ?? 1));
            var (inside, outside) = (e.Value, e.Min, e.Max) switch
            {
                ({ } v, _, _) => (v + e.Tolerance, v + e.Tolerance + Math.Max(step, e.Tolerance == 0 ? 1 : step)),
                (_, { } min, _) => (min, min - step),
                (_, _, { } max) => (max, max + step),
                _ => throw new InvalidOperationException(name),
            };
            Assert.True(RunResults.Check(config, new Dictionary<string, double> { [name] = inside }).Expectations.Single(x => x.Name == name).Passed,
                $"{relativePath}: {name} {e.Rule} should hold at {inside}");
            var missed = RunResults.Check(config, new Dictionary<string, double> { [name] = outside });
            Assert.False(missed.Expectations.Single(x => x.Name == name).Passed, $"{relativePath}: {name} {e.Rule} should fail at {outside}");
            Assert.Contains(missed.Failed, f => f.Name == name);
        }
    }

    [Fact]
    public void EveryShippedCpuExperiment_StatesAtLeastOneExpectation()
    {
        foreach (string relativePath in ShippedFiles())
        {
            var config = ShippedExperimentsTests.LoadShipped(relativePath).Config;
            if (config.Device == DeviceChoice.Cuda) continue;
            Assert.True(config.Expect is { Count: > 0 }, $"{relativePath} states no expectation");
        }
    }

    [Fact]
    public void AMissingResult_IsAFailure_NotAPass()
    {
        var config = ShippedExperimentsTests.LoadShipped("02-embeddings/autoencoder-drawer.yaml").Config;
        var results = RunResults.Check(config, new Dictionary<string, double>());
        var outcome = Assert.Single(results.Expectations);
        Assert.False(outcome.Passed);
        Assert.Equal("missing", outcome.Verdict);
        Assert.Contains("not reported", outcome.Describe());
    }

    [Fact]
    public void AnExpectationOnAResultTheKindDoesNotReport_IsRefusedAtTheYamlLine()
    {
        var error = Assert.Throws<ConfigException>(() => ShippedExperimentsTests.LoadShipped("02-embeddings/autoencoder-drawer.yaml",
            "expect.label_knn_acuracy.min=0.5"));
        Assert.Contains("expect.label_knn_acuracy", error.Message);
        Assert.Contains("did you mean `label_knn_accuracy`?", error.Message);
    }

    [Fact]
    public void TheCiVariant_IsMergedOnlyWhenAskedFor()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"genlab-ci-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string yaml = Path.Combine(dir, "experiment.yaml");
            File.WriteAllText(Path.Combine(dir, "words.txt"), string.Join("\n", TinyExperiment.Words));
            File.WriteAllText(yaml, TinyExperiment.Yaml + "\nci:\n  training: { steps: 20 }\n");
            var full = ExperimentLoader.Load(yaml, []);
            var ci = ExperimentLoader.Load(yaml, [], ci: true);
            Assert.True(full.HasCiVariant);
            Assert.Equal(40, full.Config.Training.Steps);
            Assert.Equal(20, ci.Config.Training.Steps);
            Assert.DoesNotContain("ci:", full.ResolvedYaml);
            Assert.NotEqual(full.ConfigHash, ci.ConfigHash);

            File.WriteAllText(yaml, TinyExperiment.Yaml);
            var error = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(yaml, [], ci: true));
            Assert.Contains("declares no CI variant", error.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
