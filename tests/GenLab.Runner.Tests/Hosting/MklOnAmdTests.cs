using System.Runtime.InteropServices;
using GenLab.Runner.Hosting;
using GenLab.Runner.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Tests.Hosting;

[Collection(TorchCollection.Name)]
public sealed class MklOnAmdTests
{
    [Fact]
    public void Decide_LoadsOnlyOnAmdLinuxX64WithTheLibraryBuiltBeforeLibTorch()
    {
        Assert.True(MklOnAmd.Decide(null, "AuthenticAMD", linuxX64: true, libraryBuilt: true, libTorchLoaded: false).Load);
        Assert.True(MklOnAmd.Decide("1", "AuthenticAMD", true, true, false).Load);

        Assert.StartsWith("off (GENLAB_MKL_ON_AMD=0)", MklOnAmd.Decide("0", "AuthenticAMD", true, true, false).Status);
        Assert.Equal("not needed (GenuineIntel processor)", MklOnAmd.Decide(null, "GenuineIntel", true, true, false).Status);
        Assert.Equal("not needed (non-x86 processor)", MklOnAmd.Decide(null, "", true, true, false).Status);
        Assert.StartsWith("not available on this platform", MklOnAmd.Decide(null, "AuthenticAMD", false, true, false).Status);
        Assert.StartsWith("not built (libgenlab_mkl_on_amd.so missing", MklOnAmd.Decide(null, "AuthenticAMD", true, false, false).Status);
        Assert.StartsWith("too late", MklOnAmd.Decide(null, "AuthenticAMD", true, true, libTorchLoaded: true).Status);
        Assert.All([MklOnAmd.Decide("0", "AuthenticAMD", true, true, false), MklOnAmd.Decide(null, "GenuineIntel", true, true, false)],
            d => Assert.False(d.Load));
    }

    [Fact]
    public void Decide_BadSetting_NamesTheVariable()
    {
        var e = Assert.Throws<ArgumentException>(() => MklOnAmd.Decide("yes", "AuthenticAMD", true, true, false));
        Assert.Contains("GENLAB_MKL_ON_AMD='yes' must be 1 (default) or 0", e.Message);
    }

    [Fact]
    public void CpuVendor_MatchesProcCpuinfo()
    {
        if (!File.Exists("/proc/cpuinfo")) return;
        string line = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("vendor_id", StringComparison.Ordinal));
        Assert.Equal(line[(line.IndexOf(':') + 1)..].Trim(), MklOnAmd.CpuVendor());
    }

    /// <summary>The build compiled build/mkl_on_amd.c into this output folder and into genlab's own (where an
    /// incremental build once deleted it again), and its answer is "Intel".</summary>
    [Fact]
    public void Build_OnLinuxX64WithACompiler_ShipsTheLibraryAnsweringIntel()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        if (!Directory.EnumerateFiles("/usr/bin", "cc").Any() && !Directory.EnumerateFiles("/usr/local/bin", "cc").Any()) return;
        string path = Path.Combine(AppContext.BaseDirectory, MklOnAmd.Library);
        Assert.True(File.Exists(path), $"{path} was not built");
        // This assembly's output is tests/GenLab.Runner.Tests/bin/<configuration>/<framework>/; genlab's is the same under src/Runner.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string runner = Path.Combine(Repository.Root, "src", "Runner", "bin", output.Parent!.Name, output.Name, MklOnAmd.Library);
        Assert.True(File.Exists(runner), $"{runner} is missing: genlab runs MKL's generic kernels on AMD");
        IntPtr library = NativeLibrary.Load(path);
        try
        {
            foreach (string name in new[] { "mkl_serv_intel_cpu_true", "mkl_serv_intel_cpu" })
                Assert.Equal(1, Marshal.GetDelegateForFunctionPointer<IntAnswer>(NativeLibrary.GetExport(library, name))());
        }
        finally { NativeLibrary.Free(library); }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntAnswer();

    /// <summary>Whatever MKL kernels this process runs (AVX-512 ones on AMD when the library is on), matrix products
    /// at the GPT lab's shapes agree with a double-precision product.</summary>
    [Fact]
    public void MatrixProducts_AtGptShapes_MatchADoublePrecisionReference()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        foreach (var (m, k, n) in new[] { (768, 128, 384), (768, 512, 128), (128, 768, 384), (7, 13, 5) })
        {
            var a = randn([m, k], generator: generator);
            var b = randn([k, n], generator: generator);
            var product = matmul(a, b);                                                    // (m, n) float32
            var reference = matmul(a.to(ScalarType.Float64), b.to(ScalarType.Float64));  // (m, n) float64
            double worst = (product.to(ScalarType.Float64) - reference).abs().max().item<double>();
            Assert.True(worst < 1e-3 * Math.Sqrt(k), $"{m}×{k}·{k}×{n}: largest error {worst}");
        }
        Assert.NotNull(MklOnAmd.Status);
    }
}
