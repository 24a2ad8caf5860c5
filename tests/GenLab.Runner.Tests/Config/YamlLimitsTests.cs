using GenLab.Runner.Config;

namespace GenLab.Runner.Tests.Config;

/// <summary>Aliases are expanded under a node budget and a depth limit, recursion is an error, and each of them names
/// the file (or <c>--set</c>), line and column of the alias that crossed the line.</summary>
public sealed class YamlLimitsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public YamlLimitsTests() => _dir.Write("words.txt", ValidExperiment.Words);

    public void Dispose() => _dir.Dispose();

    /// <summary>Nine levels, each a list of nine references to the one before: 9⁹ nodes when expanded in full.</summary>
    public static string AliasBomb(string indent = "")
    {
        var lines = new List<string> { $"{indent}a0: &a0 [x, x, x, x, x, x, x, x, x]" };
        for (int level = 1; level < 9; level++)
            lines.Add($"{indent}a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat($"*a{level - 1}", 9))}]");
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The same bomb as one flow mapping, for <c>--set</c>.</summary>
    public static string AliasBombFlow() =>
        "{" + string.Join(", ", AliasBomb().TrimEnd().Split('\n')) + "}";

    private static ConfigError SingleError(string path, params string[] overrides)
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(path, overrides));
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void Load_WhenAliasesNestNineByNine_StopsAtTheAliasThatCrossesTheBudget()
    {
        var path = _dir.Write("bomb.yaml", ValidExperiment.Yaml + "\n" + AliasBomb());

        var error = SingleError(path);

        // The file's first 9 lines and a0..a4 hold 74,756 nodes; a5 (line 15) passes 100,000 at its first *a4.
        Assert.Equal((path, 15, 10), (error.File, error.Line, error.Column));
        Assert.Equal($"invalid YAML: alias *a4 expands the document past {YamlTree.MaxNodes} nodes (aliases of aliases multiply; an experiment needs a few hundred)",
            error.Message);
    }

    [Fact]
    public void Load_WhenAliasRefersToItsOwnNode_ReportsRecursionAtTheAlias()
    {
        var path = _dir.Write("loop.yaml", ValidExperiment.Yaml + "\na: &a [1, *a]\n");

        var error = SingleError(path);

        Assert.Equal((path, 10, 11), (error.File, error.Line, error.Column));
        Assert.Equal("invalid YAML: alias *a refers to the node that contains it (&a at 10:4): a recursive structure has no end", error.Message);
    }

    [Fact]
    public void Load_WhenSetValueIsAnAliasBomb_CitesSetIndexAndColumn()
    {
        var path = _dir.Write("exp.yaml", ValidExperiment.Yaml);

        var error = SingleError(path, "seed=1", "description=" + AliasBombFlow());

        Assert.Equal((ExperimentLoader.SetSource, 2, "description"), (error.File, error.Line, error.KeyPath));
        Assert.True(error.Column > "description=".Length, $"column {error.Column}");
        Assert.Contains("alias *a4 expands the document past", error.Message);
        Assert.StartsWith($"--set:2:{error.Column}: description: invalid YAML value", error.ToString());
    }

    [Fact]
    public void Load_WhenSetValueRefersToItself_CitesSetIndexAndColumn()
    {
        var path = _dir.Write("exp.yaml", ValidExperiment.Yaml);

        var error = SingleError(path, "description=&a [1, *a]");

        // The alias is the 20th character of the argument.
        Assert.Equal(new ConfigError("--set", 1, 20, "description",
            "invalid YAML value '&a [1, *a]': alias *a refers to the node that contains it (&a at 1:1): a recursive structure has no end"), error);
    }

    [Fact]
    public void Load_WhenNestingIsTooDeep_ReportsTheLevelThatCrossesTheLimit()
    {
        var path = _dir.Write("deep.yaml", ValidExperiment.Yaml + "\ndeep: " + new string('[', 200) + new string(']', 200) + "\n");

        var error = SingleError(path);

        Assert.Equal((path, 10), (error.File, error.Line));
        Assert.Equal($"invalid YAML: nested more than {YamlTree.MaxDepth} levels deep", error.Message);
    }

    [Fact]
    public void Load_WhenAliasNamesNoAnchor_ReportsIt()
    {
        var error = SingleError(_dir.Write("x.yaml", ValidExperiment.Yaml + "\ndescription: *nowhere\n"));

        Assert.Equal((10, 14), (error.Line, error.Column));
        Assert.Equal("invalid YAML: alias *nowhere names no anchor (&nowhere) defined before it", error.Message);
    }

    [Fact]
    public void Load_WhenAliasesAreUsedSparingly_CopiesTheAnchoredValue()
    {
        var path = _dir.Write("alias.yaml", """
            name: tiny
            kind: mlp_char
            data: { path: words.txt }
            model: &model
              context_length: 2
            training:
              steps: &steps 10
              warmup_steps: *steps
              lr: 0.01
            """);

        var loaded = ExperimentLoader.Load(path, ["model.hidden_size=9"]);

        Assert.Equal(10, loaded.Config.Training.WarmupSteps);
        Assert.Equal(9, loaded.Config.ModelAs<GenLab.Models.Mlp.MlpCharConfig>().HiddenSize);
    }

    [Fact]
    public void Load_WhenATabIndentsLineTwelve_ReportsLineTwelve()
    {
        var lines = ValidExperiment.Yaml.Split('\n').ToList();     // 9 lines
        lines.Add("description: a tab below");
        lines.Add("report:");
        lines.Add("\tsamples: 2");
        var path = _dir.Write("tab.yaml", string.Join("\n", lines) + "\n");

        var error = SingleError(path);

        Assert.Equal((path, 12, 1), (error.File, error.Line, error.Column));
        Assert.Equal("invalid YAML: a tab in the indentation (YAML indents with spaces only)", error.Message);
    }

    [Fact]
    public void Load_WhenFileIsHuge_RefusesBeforeReadingIt()
    {
        var path = _dir.Write("huge.yaml", ValidExperiment.Yaml + "\ndescription: " + new string('x', YamlComposer.MaxFileBytes) + "\n");

        var error = SingleError(path);

        Assert.Equal(path, error.File);
        Assert.EndsWith("bytes; an experiment file is at most 1 MiB", error.Message);
    }
}
