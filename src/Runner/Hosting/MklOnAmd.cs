using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace GenLab.Runner.Hosting;

/// <summary>Lets libtorch's bundled Intel MKL use its AVX2/AVX-512 matrix kernels on AMD processors.
/// MKL runs generic kernels on any CPU that is not Intel's; on this project's 2-core AMD EPYC, lifting that made the
/// GPT training step 14–23% faster (the gpt benchmark's bare loop, runs alternated). The fix is a two-function library
/// (build/mkl_on_amd.c, built into the output folder when a C compiler is present) loaded with RTLD_GLOBAL before
/// libtorch, so that MKL's <c>mkl_serv_intel_cpu_true</c> resolves to it; MKL then dispatches on the CPU's feature
/// flags. It changes speed only, not what is computed (float results differ at rounding level, as between any two
/// BLAS kernels). A machine setting like <see cref="CpuThreads"/>: <c>GENLAB_MKL_ON_AMD=0</c> turns it off, and
/// run.json records what held.</summary>
public static class MklOnAmd
{
    public const string Variable = "GENLAB_MKL_ON_AMD";
    public const string Library = "libgenlab_mkl_on_amd.so";

    private static readonly Lock Gate = new();

    /// <summary>What <see cref="Apply"/> did, for run.json and the log; null before it ran.</summary>
    public static string? Status { get; private set; }

    /// <summary>Loads the library when it applies. Call before anything touches libtorch; later calls return the
    /// first call's status.</summary>
    public static string Apply()
    {
        lock (Gate)
        {
            if (Status is not null) return Status;
            string library = Path.Combine(AppContext.BaseDirectory, Library);
            var decision = Decide(Environment.GetEnvironmentVariable(Variable), CpuVendor(),
                OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
                File.Exists(library), LibTorchLoaded());
            Status = decision.Load ? Load(library) : decision.Status;
            return Status;
        }
    }

    /// <summary>Whether to load the library, and the status to record when not.</summary>
    internal static (bool Load, string Status) Decide(string? setting, string vendor, bool linuxX64, bool libraryBuilt,
        bool libTorchLoaded)
    {
        if (setting is not (null or "" or "0" or "1"))
            throw new ArgumentException($"environment variable {Variable}='{setting}' must be 1 (default) or 0");
        if (setting == "0") return (false, $"off ({Variable}=0): generic MKL kernels on AMD");
        if (vendor != "AuthenticAMD") return (false, $"not needed ({(vendor.Length > 0 ? vendor : "non-x86")} processor)");
        if (!linuxX64) return (false, "not available on this platform: generic MKL kernels on AMD");
        if (!libraryBuilt) return (false, $"not built ({Library} missing: no C compiler at build time): generic MKL kernels on AMD");
        if (libTorchLoaded) return (false, "too late (libtorch was loaded first): generic MKL kernels on AMD");
        return (true, "");
    }

    private static string Load(string library)
    {
        const int RtldNow = 0x2, RtldGlobal = 0x100;
        IntPtr handle;
        try { handle = DlOpen(library, RtldNow | RtldGlobal); }
        catch (EntryPointNotFoundException) { handle = DlOpenLibDl(library, RtldNow | RtldGlobal); } // glibc < 2.34
        return handle != IntPtr.Zero
            ? "on: MKL dispatches on CPU features (AVX2/AVX-512 kernels) on this AMD processor"
            : $"failed to load {library}: generic MKL kernels on AMD";
    }

    /// <summary>CPUID leaf 0's vendor string (<c>GenuineIntel</c>, <c>AuthenticAMD</c>, ...); empty off x86.</summary>
    internal static string CpuVendor()
    {
        if (!X86Base.IsSupported) return "";
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    private static bool LibTorchLoaded()
    {
        try { return File.Exists("/proc/self/maps") && File.ReadAllText("/proc/self/maps").Contains("libtorch_cpu", StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string file, int mode);

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpenLibDl(string file, int mode);
}
