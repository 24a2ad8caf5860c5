using System.Reflection;
using GenLab.Models.Configuration;
using GenLab.Runner.Config;

namespace GenLab.Runner.Tests.Config;

/// <summary>No number a config key takes is NaN or infinite, and every integer key has an upper limit that the error
/// names.</summary>
public sealed class KeyLimitsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _path;

    public KeyLimitsTests()
    {
        _dir.Write("words.txt", ValidExperiment.Words);
        _path = _dir.Write("exp.yaml", ValidExperiment.Yaml);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("data.val_fraction=.nan", "data.val_fraction", ".nan")]
    [InlineData("training.weight_decay=.nan", "training.weight_decay", ".nan")]
    [InlineData("training.grad_clip=.inf", "training.grad_clip", ".inf")]
    [InlineData("training.lr=-.Inf", "training.lr", "-.Inf")]
    [InlineData("report.smoothing=+.INF", "report.smoothing", "+.INF")]
    [InlineData("training.beta1=.NaN", "training.beta1", ".NaN")]
    public void Load_WhenAFloatKeyIsNotFinite_RejectsIt(string set, string key, string text)
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_path, [set]));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(new ConfigError("--set", 1, 0, key, $"expected a finite number, got '{text}'"), error);
    }

    [Fact]
    public void Load_WhenAFloatKeyInTheFileIsNaN_ReportsItsLine()
    {
        var path = _dir.Write("nan.yaml", ValidExperiment.Yaml.Replace("lr: 0.01", "lr: .nan"));

        var error = Assert.Single(Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, [])).Errors);

        Assert.Equal((path, 9, 7, "training.lr"), (error.File, error.Line, error.Column, error.KeyPath));
    }

    [Fact]
    public void Load_WhenHiddenSizeIsTwoBillion_NamesTheLimit()
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_path, ["model.hidden_size=2000000000"]));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("--set:1: model.hidden_size: 2000000000 is above this key's limit of 65536", error.ToString());
    }

    [Fact]
    public void Load_WhenAListItemPassesItsLimit_NamesTheItem()
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(_path, ["kind=vae", "data={}", "model.network.channels=[8, 100000]"]));

        Assert.Contains(ex.Errors, e => e.KeyPath == "model.network.channels[1]" && e.Message == "100000 is above this key's limit of 1024");
    }

    [Fact]
    public void EveryIntegerKeyOfEveryKind_HasALimit()
    {
        var unbounded = new List<string>();
        var seen = new HashSet<Type>();
        var types = new Queue<(Type Type, string Path)>([(typeof(ExperimentConfig), "")]);
        foreach (var kind in Enum.GetValues<ExperimentKind>())
        {
            var (data, model) = ExperimentKinds.SectionTypes(kind);
            types.Enqueue((data, "data"));
            types.Enqueue((model, "model"));
        }
        while (types.TryDequeue(out var next))
        {
            if (!seen.Add(next.Type)) continue;
            foreach (var property in next.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                         .Where(p => p.SetMethod is { IsPublic: true }))
            {
                string path = (next.Path.Length == 0 ? "" : next.Path + ".") + ConfigNames.SnakeCase(property.Name);
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var element = ConfigBinder.ListElementType(type) ?? ConfigBinder.DictionaryValueType(type) ?? type;
                element = ConfigBinder.ListElementType(element) ?? element;
                if (element == typeof(int) || element == typeof(long))
                {
                    if (property.GetCustomAttribute<MaxAttribute>() is null && path != "seed") unbounded.Add($"{next.Type.Name}.{property.Name} ({path})");
                }
                else if (element.IsClass && element != typeof(string) && element != typeof(object) && element.GetConstructor(Type.EmptyTypes) is not null)
                    types.Enqueue((element, path));
            }
        }

        Assert.True(seen.Count > 20, $"walked only {seen.Count} config types");
        Assert.Empty(unbounded);
    }
}
