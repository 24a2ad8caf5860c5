namespace GenLab.Runner.Tests.Config;

/// <summary>The smallest valid <c>mlp_char</c> experiment, and the words file it names.</summary>
internal static class ValidExperiment
{
    public const string Yaml = """
        name: tiny
        kind: mlp_char
        data:
          path: words.txt
        model:
          context_length: 3
        training:
          steps: 10
          lr: 0.01
        """;

    public const string Words = "emma\nolivia\nava\n";
}
