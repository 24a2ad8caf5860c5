using GenLab.Models.Mlp;
using GenLab.Runner.Config;
using GenLab.Runner.Data;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;

namespace GenLab.Runner.Tests.Data;

/// <summary>A file path given as <c>{ file, url, sha256 }</c>: checked strictly at the YAML edge, bound to the copy
/// the data search finds (or its cache path), and written back as it was named.</summary>
public sealed class NamedDataConfigTests : IDisposable
{
    private const string Sha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";

    private const string Yaml = $$"""
        name: tiny
        kind: mlp_char
        data:
          path:
            file: words.txt
            url: https://example.org/data/words.txt
            sha256: {{Sha256}}
        model:
          context_length: 3
        training:
          steps: 10
          lr: 0.01
        """;

    private readonly TempDir _dir = new();
    private readonly DataSearch _search;

    public NamedDataConfigTests() => _search = new DataSearch([Path.Combine(_dir.Root, "folder")], Path.Combine(_dir.Root, "cache"));

    public void Dispose() => _dir.Dispose();

    private LoadedExperiment Load(string yaml, params string[] overrides) =>
        ExperimentLoader.Load(_dir.Write("exp.yaml", yaml), overrides, data: _search);

    private ConfigError SingleError(string yaml, params string[] overrides) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Load(yaml, overrides)).Errors);

    [Fact]
    public void Load_WhenNoCopyIsFound_BindsTheCachePathWithoutReadingOrFetching()
    {
        var loaded = Load(Yaml);

        string cached = Path.Combine(_dir.Root, "cache", Sha256, "words.txt");
        Assert.Equal(cached, loaded.Config.DataAs<CharCorpusConfig>().Path);
        var named = Assert.Single(loaded.NamedData);
        Assert.Equal(new LocatedData(new DataSource { File = "words.txt", Url = "https://example.org/data/words.txt", Sha256 = Sha256 },
            cached, "data.path", $"{Path.Combine(_dir.Root, "exp.yaml")}:5"), named);
        Assert.False(Directory.Exists(Path.Combine(_dir.Root, "cache")));
    }

    [Fact]
    public void Load_WhenADataFolderHasTheFile_BindsThatCopy()
    {
        string copy = _dir.Write("folder/words.txt", ValidExperiment.Words);

        Assert.Equal(copy, Load(Yaml).Config.DataAs<CharCorpusConfig>().Path);
    }

    [Fact]
    public void Load_ResolvedYaml_KeepsTheNameUrlAndHash_SoItIsTheSameWhereverTheFileIs()
    {
        var cached = Load(Yaml);
        _dir.Write("folder/words.txt", ValidExperiment.Words);
        var found = Load(Yaml);

        Assert.Equal(cached.ResolvedYaml, found.ResolvedYaml);
        Assert.Contains($"""
              path:
                file: words.txt
                url: https://example.org/data/words.txt
                sha256: {Sha256}
            """.ReplaceLineEndings("\n"), found.ResolvedYaml);
        var again = ExperimentLoader.Load(_dir.Write("run/experiment.yaml", found.ResolvedYaml), [], data: _search);
        Assert.Equal(found.Config, again.Config);
        Assert.Equal(found.ConfigHash, again.ConfigHash);
    }

    [Fact]
    public void Load_WhenHashIsUpperCase_BindsItLowerCase()
    {
        var loaded = Load(Yaml.Replace(Sha256, Sha256.ToUpperInvariant()));

        Assert.Equal(Sha256, loaded.NamedData[0].Source.Sha256);
    }

    [Fact]
    public void InputFingerprint_KeysNamedDataByFileName_WithItsNamedHash()
    {
        _dir.Write("folder/words.txt", ValidExperiment.Words);

        var hashes = InputFingerprint.Compute(Load(Yaml));

        Assert.Equal(Sha256, hashes[InputFingerprint.DataPrefix + "words.txt"]);
        Assert.Single(hashes.Keys, k => k.StartsWith(InputFingerprint.DataPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WhenSetGivesALocalPath_ItReplacesTheNamedFile()
    {
        string local = _dir.Write("elsewhere/names.txt", ValidExperiment.Words);

        var loaded = Load(Yaml, $"data.path={local}");

        Assert.Equal(local, loaded.Config.DataAs<CharCorpusConfig>().Path);
        Assert.Empty(loaded.NamedData);
    }

    [Theory]
    [InlineData("sha256: " + Sha256, "sha256: abc123", 7, "data.path.sha256", "expected the file's SHA-256 as 64 hexadecimal digits, got 'abc123' (6 characters)")]
    [InlineData("url: https://example.org/data/words.txt", "url: ftp://example.org/words.txt", 6, "data.path.url", "expected an http:// or https:// URL, got 'ftp://example.org/words.txt'")]
    [InlineData("file: words.txt", "file: data/words.txt", 5, "data.path.file", "expected a file name without folders, got 'data/words.txt' (it is looked up in --data-dir, GENLAB_DATA and the cache)")]
    [InlineData("sha256: " + Sha256, "sha256: " + Sha256 + "\n    bytes: 1115394", 8, "data.path.bytes", "unknown key (valid keys: file, url, sha256)")]
    public void Load_WhenTheNamedFileIsMalformed_ReportsTheKeyAndLine(string from, string to, int line, string key, string message)
    {
        var error = SingleError(Yaml.Replace(from, to));

        Assert.Equal((line, key, message), (error.Line, error.KeyPath, error.Message));
    }

    [Fact]
    public void Load_WhenTheHashIsMissing_SaysItIsRequired()
    {
        var error = SingleError(Yaml.Replace($"    sha256: {Sha256}\n", ""));

        Assert.Equal(("data.path.sha256", "missing required key"), (error.KeyPath, error.Message));
    }

    [Fact]
    public void Load_WhenAFilePathIsAList_SaysWhatItTakes()
    {
        var error = SingleError(ValidExperiment.Yaml.Replace("path: words.txt", "path: [words.txt]"));

        Assert.Equal("expected a file path or { file, url, sha256 }, got a list", error.Message);
    }
}
