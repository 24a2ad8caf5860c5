using GenLab.Runner.Config;

namespace GenLab.Runner.Tests.Config;

/// <summary>Value kinds the experiment records do not use yet: nullables, longs, floats, lists, dictionaries.</summary>
public sealed class ConfigBinderTests : IDisposable
{
    public sealed record Inner
    {
        public string Label { get; init; } = "inner";
    }

    public sealed record Everything
    {
        public int? MaybeCount { get; init; } = 5;
        public string? Note { get; init; } = "note";
        public long Big { get; init; }
        public float Scale { get; init; } = 1.5f;
        public IReadOnlyList<int> Sizes { get; init; } = [];
        public List<string> Names { get; init; } = [];
        public double[] Weights { get; init; } = [];
        public IReadOnlyDictionary<string, double> Mix { get; init; } = new Dictionary<string, double>();
        public Dictionary<string, Inner> Parts { get; init; } = [];
        public DeviceChoice? Device { get; init; }
    }

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (Everything? Value, List<ConfigError> Errors) Bind(string yaml)
    {
        var errors = new List<ConfigError>();
        var root = new YamlComposer(errors).Compose(_dir.Write("x.yaml", yaml));
        Assert.NotNull(root);
        var value = (Everything)new ConfigBinder(errors).BindRecord(root, typeof(Everything), "");
        return (errors.Count == 0 ? value : null, errors);
    }

    [Fact]
    public void BindRecord_WhenValuesAreCollectionsAndNullables_BindsThem()
    {
        var (value, errors) = Bind("""
            maybe_count: null
            note: ~
            big: 9000000000
            scale: 0.25
            sizes: [1, 2, 3]
            names:
              - a
              - b
            weights: [0.5, 1e300]
            mix: {x: 0.1, y: 2}
            parts:
              left: {label: l}
              right: {}
            device: cpu
            """);

        Assert.Empty(errors);
        Assert.Null(value!.MaybeCount);
        Assert.Null(value.Note);
        Assert.Equal(9_000_000_000L, value.Big);
        Assert.Equal(0.25f, value.Scale);
        Assert.Equal([1, 2, 3], value.Sizes);
        Assert.Equal(["a", "b"], value.Names);
        Assert.Equal([0.5, 1e300], value.Weights);
        Assert.Equal(new Dictionary<string, double> { ["x"] = 0.1, ["y"] = 2 }, value.Mix);
        Assert.Equal(new Inner { Label = "l" }, value.Parts["left"]);
        Assert.Equal(new Inner(), value.Parts["right"]);
        Assert.Equal(DeviceChoice.Cpu, value.Device);
    }

    [Fact]
    public void BindRecord_WhenCollectionItemsAreWrong_ReportsEachWithItsPath()
    {
        var (_, errors) = Bind("sizes: [1, x]\nmix: {a: b}\nparts: {p: {lable: q}}\nscale: 1e300\n");

        Assert.Equal(
            ["sizes[1]: expected an integer, got 'x'", "mix.a: expected a number, got 'b'",
             "parts.p.lable: unknown key (did you mean `label`?)", "scale: number 1e300 is out of range"],
            errors.Select(e => $"{e.KeyPath}: {e.Message}"));
        Assert.Equal(2, errors[1].Line);
    }

    [Fact]
    public void Write_ThenBind_GivesBackTheSameValues()
    {
        var (value, _) = Bind("maybe_count: null\nnote: \"123\"\nsizes: [4]\nmix: {z: 1e-7}\nparts: {a: {label: \"null\"}}\n");

        var yaml = ConfigYamlWriter.Write(value!);
        var (again, errors) = Bind(yaml);

        Assert.Empty(errors);
        Assert.Equal(yaml, ConfigYamlWriter.Write(again!));
        Assert.Equal("123", again!.Note);
        Assert.Equal("null", again.Parts["a"].Label);
        Assert.Equal(1e-7, again.Mix["z"]);
    }

    [Theory]
    [InlineData("BatchSize", "batch_size")]
    [InlineData("Lr", "lr")]
    [InlineData("Beta1", "beta1")]
    [InlineData("HTTPPort", "http_port")]
    public void SnakeCase_MapsPropertyNamesToYamlKeys(string name, string key) =>
        Assert.Equal(key, ConfigNames.SnakeCase(name));

    [Theory]
    [InlineData("lrr", "lr")]
    [InlineData("lable", "label")]
    [InlineData("batchSize", "batch_size")]
    [InlineData("hiden_size", "hidden_size")]
    [InlineData("x", null)]
    [InlineData("learning_rate", null)]
    public void Suggest_FindsCloseKeysOnly(string typed, string? expected) =>
        Assert.Equal(expected, ConfigNames.Suggest(typed, ["lr", "label", "batch_size", "hidden_size", "steps"]));
}
