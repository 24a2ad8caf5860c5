using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLab.Runner.Config;
using GenLab.Runner.Tests.Experiments;
using GenLab.Runner.Tests.Support;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenLab.Runner.Tests.Config;

public sealed class ConfigSchemaTests
{
    private const string SchemaLine = "# yaml-language-server: $schema=";
    private static readonly string ShippedSchema = Path.Combine(Repository.Root, ConfigSchema.ShippedPath);
    // Built once: JsonSchema.Net registers a schema under its $id and refuses a second one.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(ShippedSchema)));

    [Fact]
    public void ShippedSchema_IsWhatGenlabSchemaGeneratesNow()
    {
        Assert.True(File.ReadAllText(ShippedSchema) == ConfigSchema.Generate(),
            $"{ConfigSchema.ShippedPath} is out of date with the config records; refresh it with "
            + $"`dotnet run --project src/Runner -- schema --out {ConfigSchema.ShippedPath}`");
    }

    [Theory]
    [MemberData(nameof(ShippedExperimentsTests.ExperimentFiles), MemberType = typeof(ShippedExperimentsTests))]
    public void EveryShippedExperiment_NamesTheSchemaOnItsFirstLine_AndMeetsIt(string relativePath)
    {
        string file = Path.Combine(Repository.Experiments, relativePath);
        string first = File.ReadLines(file).First();
        Assert.StartsWith(SchemaLine, first);
        string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, first[SchemaLine.Length..].Trim()));
        Assert.Equal(Path.GetFullPath(ShippedSchema), target);

        var errors = Check(File.ReadAllText(file));
        Assert.True(errors.Count == 0, $"{relativePath}: {string.Join("; ", errors)}");
    }

    [Theory]
    [InlineData("training: { stepz: 10 }", "stepz")]                              // a typo in a shared section
    [InlineData("model: { context_length: 3, heads: 4 }", "heads")]             // a GPT key under kind: mlp_char
    [InlineData("training: { lr_schedule: cosin }", "lr_schedule")]             // an enum value that does not exist
    [InlineData("expect: { fid_lite: { max: 2 } }", "fid_lite")]                // a diffusion result in an MLP
    [InlineData("data: { path: { file: names.txt } }", "path")]                 // a data source without url and sha256
    public void Schema_RejectsWhatTheBinderRejects(string yaml, string key)
    {
        string data = yaml.StartsWith("data:", StringComparison.Ordinal) ? "" : "data: { path: names.txt }\n";
        var errors = Check($"name: x\nkind: mlp_char\n{data}{yaml}\n");
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_AcceptsCiVariants_Extends_AndDataNamedByUrl()
    {
        var errors = Check("""
            extends: ../base.yaml
            data:
              path: { file: input.txt, url: "https://example.org/input.txt", sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed" }
            ci:
              training: { steps: 10 }
              expect: null
            """);
        Assert.Empty(errors);
    }

    /// <summary>The schema's complaints about <paramref name="yaml"/>, each with the location it concerns.</summary>
    private static List<string> Check(string yaml)
    {
        var schema = Schema.Value;
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        JsonNode? document = ToJson(stream.Documents[0].RootNode);
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))];
    }

    /// <summary>YAML 1.2's core schema: plain scalars may be null, booleans or numbers; quoted ones are strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } => v switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => JsonValue.Create(l),
            _ when v.Any(char.IsAsciiDigit) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => JsonValue.Create(d),
            _ => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
