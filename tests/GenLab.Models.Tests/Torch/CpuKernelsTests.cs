using System.Runtime.InteropServices;
using GenLab.Models.Torch;
using Xunit;

namespace GenLab.Models.Tests.Torch;

public sealed class CpuKernelsTests
{
    [Fact]
    public void The_choice_reaches_the_native_environment_libtorch_reads()
    {
        if (!OperatingSystem.IsLinux()) return;
        string? native = Marshal.PtrToStringUTF8(GetEnv(CpuKernels.Variable));
        if (CpuKernels.Chosen is { } chosen)
        {
            // .NET's own copy of the environment does not see setenv; libtorch's getenv does.
            Assert.Equal(chosen, native);
            Assert.Equal(chosen, CpuKernels.Capability);
        }
        else Assert.Equal(string.IsNullOrEmpty(native) ? "default" : native, CpuKernels.Capability);
    }

    [Fact]
    public void An_amd_cpu_with_avx2_gets_avx2_kernels_unless_the_user_chose()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return;
        string cpuinfo = File.ReadAllText("/proc/cpuinfo");
        bool amdAvx2 = cpuinfo.Contains("AuthenticAMD", StringComparison.Ordinal) && cpuinfo.Contains(" avx2", StringComparison.Ordinal);
        bool userChose = Environment.GetEnvironmentVariable(CpuKernels.Variable) is { Length: > 0 };
        Assert.Equal(amdAvx2 && !userChose && RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "avx2" : null, CpuKernels.Chosen);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
