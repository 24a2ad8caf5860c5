using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using GenLab.Reports.RunFolder;
using TorchSharp;

namespace GenLab.Runner.Runs;

/// <summary>Captures where a run ran: OS, CPU, GPU, runtime and library versions, and the git commit.</summary>
public static class RunEnvironment
{
    public static EnvironmentInfo Capture(string device) => new()
    {
        Os = RuntimeInformation.OSDescription,
        CpuModel = CpuModel(),
        Cores = Environment.ProcessorCount,
        TorchThreads = torch.get_num_threads(),
        Gpu = device.StartsWith("cuda", StringComparison.Ordinal) ? $"CUDA devices: {torch.cuda.device_count()}" : null,
        DotNet = RuntimeInformation.FrameworkDescription,
        TorchSharp = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "",
        LibTorch = torch.__version__,
        TorchBackend = TorchBackend,
        MklOnAmd = Hosting.MklOnAmd.Status,
        TensorFill = GenLab.Models.Data.TensorMemory.Status,
        GenLab = typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
    };

    /// <summary>The native backend this build was compiled against (MSBuild property <c>TorchBackend</c>).</summary>
    public static string TorchBackend =>
        typeof(RunEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "GenLab.TorchBackend")?.Value ?? "cpu";

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                        return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The commit of the repository around <paramref name="directory"/> and whether its tree has changes;
    /// null where git or a repository is absent.</summary>
    public static GitInfo? Git(string directory)
    {
        string? commit = RunGit(directory, "rev-parse HEAD");
        if (commit is null) return null;
        string? status = RunGit(directory, "status --porcelain --untracked-files=no");
        return new GitInfo(commit.Trim(), !string.IsNullOrWhiteSpace(status));
    }

    private static string? RunGit(string directory, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null) return null;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
