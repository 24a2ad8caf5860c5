using System.Diagnostics;
using System.Text.Json.Nodes;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Commands;
using GenLab.Runner.Runs;
using GenLab.Runner.Tests.Config;
using GenLab.Runner.Tests.Support;

namespace GenLab.Runner.Tests.Runs;

/// <summary>The code's reproduction key (build/CodeKey.targets) is a hash of the sources: one key per source tree, in
/// any folder and configuration, and a different one after an edit to the code a run's numbers depend on.</summary>
[Collection(TorchCollection.Name)]
public sealed class CodeKeyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>What a clone holds that the key reads: the root build files, build/ and src/ (without build outputs).</summary>
    private string Clone(string name)
    {
        string clone = Path.Combine(_dir.Root, name);
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            CopyFile(Path.Combine(Repository.Root, file), Path.Combine(clone, file));
        foreach (string folder in new[] { "build", "src" })
            foreach (string file in Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(Repository.Root, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
                CopyFile(file, Path.Combine(clone, relative));
            }
        return clone;
    }

    private static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    /// <summary>The key MSBuild computes for the tree at <paramref name="root"/>, as a build of it embeds.</summary>
    private static async Task<string> KeyOf(string root, string configuration)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "msbuild", Path.Combine(root, "src", "Runner", "GenLab.Runner.csproj"), "-t:GenLabCodeKey",
                     "-getProperty:GenLabCodeKey", $"-p:Configuration={configuration}", "-nologo", "-nr:false", "-m:1" })
            info.ArgumentList.Add(arg);
        // The test host's MSBuild settings belong to its own build, not to this one.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        string key = (await output).Trim();
        Assert.True(process.ExitCode == 0 && key.Length == 64, $"msbuild exited {process.ExitCode}: {key}\n{await error}");
        return key;
    }

    [Fact]
    public async Task TwoClonesInTwoFoldersAndConfigurations_GiveTheKeyThisBuildEmbeds()
    {
        string a = Clone("a");
        string b = Clone(Path.Combine("deeper", "clone-b"));

        var keys = await Task.WhenAll(KeyOf(a, "Debug"), KeyOf(b, "Release"));

        Assert.Equal(InputFingerprint.ModelCodeHash, keys[0]);
        Assert.Equal(InputFingerprint.ModelCodeHash, keys[1]);
    }

    [Fact]
    public async Task AnEditToTrainingCode_ChangesTheKeyAndMakesTheRunStale_AnEditElsewhereDoesNot()
    {
        string edited = Clone("edited");
        string trainer = Path.Combine(edited, "src", "Runner", "Training", "Trainer.cs");
        File.WriteAllText(trainer, File.ReadAllText(trainer).Replace("class Trainer", "class Trainer // edited", StringComparison.Ordinal));
        string cli = Clone("cli-only");
        string list = Path.Combine(cli, "src", "Runner", "Commands", "ListCommand.cs");
        File.AppendAllText(list, "// a CLI change does not change any run's numbers\n");

        var keys = await Task.WhenAll(KeyOf(edited, "Debug"), KeyOf(cli, "Debug"));

        Assert.NotEqual(InputFingerprint.ModelCodeHash, keys[0]);
        Assert.Equal(InputFingerprint.ModelCodeHash, keys[1]);

        // A run made by this code is up to date; one whose recorded key is the edited tree's is stale.
        var experiment = new TempDir();
        try
        {
            TinyExperiment.Write(experiment);
            string results = Path.Combine(experiment.Root, "results");
            var (exit, run) = TinyExperiment.Run(TinyExperiment.Load(experiment), results);
            Assert.Equal(0, exit);
            Assert.Null(ReproduceCommand.WhyStale(TinyExperiment.Load(experiment), results));

            string runJson = Path.Combine(run, RunFiles.RunInfo);
            var info = JsonNode.Parse(File.ReadAllText(runJson))!;
            info["input_hashes"]![InputFingerprint.CodeKey] = keys[0];
            File.WriteAllText(runJson, info.ToJsonString());

            Assert.Equal($"model code changed since run {Path.GetFileName(run)}", ReproduceCommand.WhyStale(TinyExperiment.Load(experiment), results));
        }
        finally { experiment.Dispose(); }
    }
}
