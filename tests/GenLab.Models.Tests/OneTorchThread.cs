using System.Runtime.CompilerServices;

namespace GenLab.Models.Tests;

/// <summary>`dotnet test` runs the test assemblies side by side, each with its own libtorch: with one OpenMP thread
/// per core in each, the threads of different processes wait on each other at every kernel and a 2-core machine runs
/// many times slower (measured: 13× for a U-Net step). One thread per test process, and per genlab process a test
/// starts (GENLAB_THREADS is inherited), keeps the suite fast; results are the same for a given thread count.</summary>
internal static class OneTorchThread
{
    [ModuleInitializer]
    internal static void Apply()
    {
        Environment.SetEnvironmentVariable("GENLAB_THREADS", "1");
        GenLab.Models.Data.TensorMemory.Apply();  // as genlab's Program does: zeroed tensor memory (see TensorMemory)
        TorchSharp.torch.set_num_threads(1);
    }
}
