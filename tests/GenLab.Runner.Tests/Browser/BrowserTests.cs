using System.Diagnostics;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;
using OpenQA.Selenium;
using Xunit.Sdk;

namespace GenLab.Runner.Tests.Browser;

/// <summary>End-to-end in headless Chromium (<see cref="Support.Browser"/>): the results index a run writes, the
/// comparison page opened from disk, and <c>genlab serve</c> following a running tiny experiment and comparing two runs.
/// Set GENLAB_SCREENSHOTS to a folder to keep what the browser showed.</summary>
[Collection(TorchCollection.Name)]
public sealed class BrowserTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public BrowserTests()
    {
        TinyExperiment.Write(_dir);
        _results = Path.Combine(_dir.Root, "results");
    }

    public void Dispose() => _dir.Dispose();

    private async Task<string> RunProcess(params string[] args)
    {
        var (exit, output) = await GenlabProcess.RunAsync(args, workingDirectory: _dir.Root);
        Assert.True(exit == ExitCodes.Ok, $"genlab {string.Join(' ', args)} exited {exit}:\n{output}");
        return output;
    }

    [Fact]
    public async Task ResultsIndex_TickTwoRuns_GivesTheCompareCommand_WhosePageFromDiskShowsTheKeyBothCurvesAndTheSamples()
    {
        await RunProcess("run", "experiment.yaml");
        await RunProcess("run", "experiment.yaml", "--set", "training.steps=60");      // rewrites the index with both runs
        string index = Path.Combine(_results, "index.html");
        using var browser = new Support.Browser();

        browser.Open(new Uri(index).AbsoluteUri);
        var picks = browser.FindAll("input.pick");
        Assert.Equal(2, picks.Count);
        Assert.Contains("training.steps=60", browser.Find("#runs").Text);
        Assert.Equal("", browser.Find("#command").GetDomProperty("value"));
        foreach (var pick in picks) pick.Click();
        string command = browser.Find("#command").GetDomProperty("value") ?? "";
        browser.Screenshot("results-index");

        Assert.Matches(@"^dotnet run --project src/Runner -- compare results/tiny/\S+ results/tiny/\S+$", command);
        string output = await RunProcess(command.Split(" -- ")[1].Split(' '));
        string page = Path.Combine(_dir.Root, output.Split("comparison: ")[1].Split(' ')[0]);

        browser.Open(new Uri(page).AbsoluteUri);
        var configRows = browser.FindAll("#config-diff tr");
        Assert.Equal(2, configRows.Count);                                   // the header and training.steps alone
        Assert.Equal("training.steps 60 40", configRows[1].Text);           // newest first in the index, so B is the first run
        var curves = browser.FindAll("#curves img.curve");
        Assert.Contains(curves, c => c.GetDomAttribute("data-metric") == "loss");
        Assert.True((bool)browser.Script("return [...document.querySelectorAll('#curves img')].every(i => i.complete && i.naturalWidth > 800);")!);
        var samples = browser.FindAll("table.samples th").Select(th => th.Text).ToList();
        Assert.Equal(["#", "A (step 60)", "B (step 40)"], samples);
        browser.Screenshot("compare-from-disk");
    }

    [Fact]
    public async Task Serve_ShowsARunningRunsCurveGrowing_ThenComparesTwoSelectedRuns()
    {
        using var running = GenlabProcess.Start(["run", "experiment.yaml", "--set", "training.steps=200000", "--set", "training.eval_every=2000",
            "--set", "training.log_every=100", "--set", "training.checkpoint_every=200000", "--set", "report.samples=0"], workingDirectory: _dir.Root);
        try
        {
            await GenlabProcess.WaitForTrainRows(running, _results, rows: 1);
            var (_, first) = TinyExperiment.Run(TinyExperiment.Load(_dir), _results);
            var (_, second) = TinyExperiment.Run(TinyExperiment.Load(_dir, "training.steps=60"), _results);
            using var serve = await ServeProcess.StartAsync("results", workingDirectory: _dir.Root);
            using var browser = new Support.Browser();

            browser.Open(serve.Url);
            browser.Wait(() => browser.FindAll("tr[data-status=running] button.watch").FirstOrDefault(), "the running run in the table").Click();
            const string trainLine = "#live-charts svg[data-metric=loss] polyline[data-split=train]";
            int Points() => int.Parse(browser.Find(trainLine).GetDomAttribute("data-points") ?? "0");
            int before = 0, after = 0;
            browser.WaitUntil(() => browser.FindAll(trainLine).Count > 0 && (before = Points()) >= 2, "a loss curve");
            browser.WaitUntil(() => (after = Points()) > before, "the loss curve to grow");
            Assert.StartsWith("running · step ", browser.Find("#live-status").Text);
            browser.Screenshot("serve-live");
            Assert.True(after > before);

            foreach (string run in new[] { first, second })
                browser.WaitUntil(() =>
                {
                    var box = browser.Find($"input.pick[data-path='tiny/{Path.GetFileName(run)}']");
                    if (!box.Selected) box.Click();
                    return box.Selected;
                }, $"ticking {Path.GetFileName(run)}");
            Assert.Contains($"compare results/tiny/{Path.GetFileName(first)} results/tiny/{Path.GetFileName(second)}", browser.Find("#compare-command").Text);
            browser.Find("#compare").Click();

            var rows = browser.Wait(() => browser.FindAll("#config-diff tr") is { Count: > 0 } r ? r : null, "the comparison page");
            Assert.Equal(["key A B", "training.steps 40 60"], rows.Select(r => r.Text));
            Assert.True((bool)browser.Script("return [...document.querySelectorAll('#curves img.curve')].length >= 1 && "
                + "[...document.querySelectorAll('#curves img.curve')].every(i => i.complete && i.naturalWidth > 800);")!);
            browser.Screenshot("serve-compare");
            Assert.False(serve.HasExited, serve.Output);
        }
        finally
        {
            if (!running.HasExited) running.Kill(entireProcessTree: true);
            running.WaitForExit();
        }
    }

    [Fact]
    public void Browser_WhenChromiumIsMissing_FailsWithTheCommandThatInstallsIt()
    {
        var e = Assert.Throws<FailException>(() => new Support.Browser(chromium: "/nonexistent/chromium"));
        Assert.Contains("apt-get install chromium chromium-driver", e.Message);
    }
}
