using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLab.Models.Torch;

/// <summary>Which vector width libtorch's own CPU kernels (element-wise ops, softmax, norms; not oneDNN's
/// convolutions or MKL's matrix products) are dispatched at. libtorch picks the widest the CPU has — AVX-512 on this
/// course's machines (AMD EPYC) — and there its AVX-512 exp (Sleef expf16) is slow: SiLU forward + backward on a
/// (64, 16, 28, 28) map takes 11–13 ms against 3–4 ms with the AVX2 kernels (sigmoid 7 ms against 1.8 ms), which
/// made a diffusion U-Net step about 20% slower than it needs to be (CPU time 640 → 510 ms a step, same losses bit
/// for bit; measured with benchmarks/GenLab.Benchmarks, mode unet). So on AMD CPUs GenLab asks for AVX2 through
/// libtorch's own switch, the <c>ATEN_CPU_CAPABILITY</c> environment variable, unless the user set it.
/// <para>libtorch reads the variable once, at its first kernel call; this module initializer runs when GenLab.Models
/// is loaded, before any of its code creates a tensor. Setting it through .NET's Environment API would not do: on
/// Linux that only changes .NET's copy of the environment, so it calls libc's <c>setenv</c>.</para></summary>
public static class CpuKernels
{
    public const string Variable = "ATEN_CPU_CAPABILITY";

    /// <summary>What GenLab chose: "avx2", or null when it left libtorch's choice alone.</summary>
    public static string? Chosen { get; private set; }

    /// <summary>The setting in effect: GenLab's choice, the user's <c>ATEN_CPU_CAPABILITY</c>, or "default".</summary>
    public static string Capability => Chosen ?? (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : "default");

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before libtorch's first kernel call")]
    internal static void Choose()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 }) return;   // the user's choice wins
        if (!IsAmdWithAvx2()) return;
        try
        {
            if (SetEnv(Variable, "avx2", 0) == 0) Chosen = "avx2";
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    private static bool IsAmdWithAvx2()
    {
        try
        {
            string? vendor = null, flags = null;
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (vendor is null && line.StartsWith("vendor_id", StringComparison.Ordinal)) vendor = line[(line.IndexOf(':') + 1)..].Trim();
                else if (flags is null && line.StartsWith("flags", StringComparison.Ordinal)) flags = line[(line.IndexOf(':') + 1)..];
                if (vendor is not null && flags is not null) break;
            }
            return vendor == "AuthenticAMD" && flags is not null && flags.Split(' ').Contains("avx2");
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
