using GenLab.Runner.Commands;
using GenLab.Runner.Expectations;
using GenLab.Runner.Hosting;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Runs;

/// <summary>results/index.html and <c>list</c>: every run with what tells it apart, and the path compare takes.</summary>
[Collection(TorchCollection.Name)]
public sealed class ResultsIndexTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public ResultsIndexTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Index_ListsEveryRunNewestFirst_WithItsReport_TheKeysThatTellItApart_AndACheckboxForCompare()
    {
        var (_, a) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
        var (_, b) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.steps=60"), _results);
        ReferenceRun.Write(a, Path.Combine(_results, RunCatalog.ReferenceFolder));

        string html = File.ReadAllText(ResultsIndex.Write(_results, "results"));

        string idA = Path.GetFileName(a), idB = Path.GetFileName(b);
        Assert.Contains($"<input type=\"checkbox\" class=\"pick\" value=\"results/tiny/{idB}\"", html);
        Assert.Contains($"<a href=\"tiny/{idA}/report/index.html\">{idA}</a>", html);
        Assert.Contains($"<a href=\"reference/tiny/report/README.md\">{idA}</a>", html);      // a reference has Markdown only
        Assert.Contains("<td class=\"cfg\">training.steps=60</td>", html);
        Assert.Contains("completed · reference", html);
        Assert.True(html.IndexOf(idB, StringComparison.Ordinal) < html.IndexOf($"value=\"results/tiny/{idA}\"", StringComparison.Ordinal));
        Assert.Contains("const prefix = \"dotnet run --project src/Runner -- compare\";", html);
        Assert.DoesNotContain(".tmp", string.Join(" ", Directory.GetFiles(_results)));
    }

    [Fact]
    public void List_ShowsThePathAndTheConfigKeysThatDiffer_AndJsonForScripts()
    {
        var (_, a) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
        TinyExperiment.Run(TinyExperiment.Load(_dir, "training.steps=60"), _results);
        var output = new StringWriter();
        var before = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(ExitCodes.Ok, ListCommand.Execute(_results));
            Assert.Equal(ExitCodes.Ok, ListCommand.Execute(_results, json: true));
        }
        finally { Console.SetOut(before); }

        string text = output.ToString();
        Assert.Contains($"{Path.Combine(_results, "tiny", Path.GetFileName(a))}  training.steps=40", text);
        Assert.Contains("\"training.steps\": \"60\"", text);
        Assert.Contains($"\"path\": \"{Path.Combine(_results, "tiny", Path.GetFileName(a))}\"", text);
        Assert.Contains("\"status\": \"completed\"", text);
    }
}
