using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GenLab.Runner.Tests.Support;

/// <summary>Headless Chromium driven through ChromeDriver (Selenium WebDriver), both from Debian's packages: nothing is
/// downloaded, and a machine without them fails the browser tests with the command that installs them, never skips
/// them. Each browser gets a fresh profile folder and the flags Chromium needs on a machine with no network.</summary>
internal sealed class Browser : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    public const string ChromeDriver = "/usr/bin/chromedriver";
    public const string InstallHint = "the browser tests need headless Chromium and ChromeDriver: `sudo apt-get install chromium chromium-driver` "
        + "(build/debian-packages.sh installs them; .ci/run runs it before the tests)";

    private readonly string _profile = Directory.CreateTempSubdirectory("genlab-chromium-").FullName;

    public ChromeDriver Driver { get; }

    /// <param name="chromium">The browser (default /usr/bin/chromium).</param>
    /// <param name="driver">Its ChromeDriver (default /usr/bin/chromedriver).</param>
    public Browser(int width = 1400, int height = 1000, string chromium = Chromium, string driver = ChromeDriver)
    {
        if (!File.Exists(chromium) || !File.Exists(driver))
            Assert.Fail($"{(File.Exists(chromium) ? driver : chromium)} not found: {InstallHint}");

        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
            $"--user-data-dir={_profile}", $"--window-size={width},{height}", "--allow-file-access-from-files");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
    }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public IReadOnlyList<IWebElement> FindAll(string css) => Driver.FindElements(By.CssSelector(css));

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>Polls until <paramref name="condition"/> gives something; fails with <paramref name="what"/> and the page's
    /// text. An element replaced while it was read (the dashboard redraws its table) is read again.</summary>
    public T Wait<T>(Func<T?> condition, string what, double seconds = 60) where T : class
    {
        T? found = null;
        WaitUntil(() => (found = condition()) is not null, what, seconds);
        return found!;
    }

    public void WaitUntil(Func<bool> condition, string what, double seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            try
            {
                if (condition()) return;
            }
            catch (Exception e) when (e is WebDriverException or InvalidOperationException or FormatException) { last = e; }
            Thread.Sleep(100);
        }
        string text;
        try { text = Driver.FindElement(By.TagName("body")).Text; } catch (WebDriverException) { text = "(page unreadable)"; }
        Assert.Fail($"waited {seconds} s for {what}{(last is null ? "" : $" ({last.Message})")}; the page says:\n{text[..Math.Min(3000, text.Length)]}");
    }

    /// <summary>A PNG of the whole page (as tall as its content) into <c>$GENLAB_SCREENSHOTS</c> when set: what the
    /// test saw, for a person to look at.</summary>
    public void Screenshot(string name)
    {
        if (Environment.GetEnvironmentVariable("GENLAB_SCREENSHOTS") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        long height = Convert.ToInt64(Script("return Math.min(document.documentElement.scrollHeight, 8000);"));
        var size = Driver.Manage().Window.Size;
        Driver.Manage().Window.Size = new System.Drawing.Size(size.Width, (int)Math.Max(height, 600));
        Driver.GetScreenshot().SaveAsFile(Path.Combine(dir, name + ".png"));
        Driver.Manage().Window.Size = size;
    }

    public void Dispose()
    {
        try { Driver.Quit(); } catch (WebDriverException) { }
        Driver.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }
}
