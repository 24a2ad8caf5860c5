using System.Runtime.InteropServices;

namespace GenLab.Models.Data;

/// <summary>What a new CPU tensor's memory holds before an operation writes it.
/// <para>Why it matters: libtorch runs Conv2d on the CPU through oneDNN, and on some processors (AMD EPYC family 26
/// seen, not family 25) its backward pass reads tensor memory that nobody wrote when a channel count is not a
/// multiple of the SIMD block (the autoencoder's 32 → 3 output convolution, the U-Net's 16 → 1). Whatever that memory
/// held flows into the gradients: a freed SkiaSharp bitmap (pixels 0xffededed, a NaN as float32) turned the
/// autoencoder, VAE and diffusion labs to NaN within a few steps, intermittently, on one machine and never on
/// another (../shared/notes/nan-onednn.md). Zeroing every tensor buffer as it is allocated (libc10's own
/// <c>caffe2_cpu_allocator_do_zero_fill</c> flag) makes what any kernel reads defined, on every processor.</para>
/// <para>What it costs: one memset per allocation on the allocating thread. Measured on an AMD EPYC family 25, 2
/// threads: the ddpm-digits-cpu U-Net step about 10–15% slower (about 1.2 GB zeroed a step); in minutes when a shared
/// VM's second core is contended, with the other OpenMP thread spinning beside it, the memset takes four times as long
/// and the step 1.7 times (README, Benchmarks). The nanoGPT-sized GPT step would be 25–35% slower. The GPT
/// runs no oneDNN kernel (its matrix products go to MKL), so by default (<c>auto</c>) memory is zeroed from the moment
/// a model with convolutions is built (<see cref="ForConvolutions"/>), and left alone in processes without one.</para>
/// <para><c>GENLAB_TENSOR_FILL</c>: <c>auto</c> (default), <c>zero</c> (always), <c>none</c> (libtorch's default,
/// unsafe for convolutions on affected processors), <c>junk</c> (a NaN pattern: reproduces the fault on affected
/// processors, for diagnosis). A machine setting like GENLAB_THREADS, recorded in run.json.</para></summary>
public static class TensorMemory
{
    public const string Variable = "GENLAB_TENSOR_FILL";

    private const string ZeroFlag = "FLAGS_caffe2_cpu_allocator_do_zero_fill";
    private const string JunkFlag = "FLAGS_caffe2_cpu_allocator_do_junk_fill";

    public enum Fill { Auto, Zero, None, Junk }

    private static readonly Lock Gate = new();
    private static Fill? _setting;
    private static bool _zeroing;
    private static bool _written;           // the flags were set by this process, so "off" must be written too

    /// <summary>The setting and what holds now, for run.json and the log.</summary>
    public static string Status
    {
        get
        {
            lock (Gate)
            {
                return (_setting ?? Fill.Auto) switch
                {
                    Fill.Auto when _zeroing => "auto: zeroed (a model with convolutions was built)",
                    Fill.Auto => "auto: not zeroed (no model with convolutions was built)",
                    Fill.Zero => $"zero ({Variable}=zero): every new tensor is zeroed",
                    Fill.None => $"none ({Variable}=none): new tensors hold whatever the allocator returns",
                    _ => $"junk ({Variable}=junk): new tensors are filled with NaN, to expose kernels that read them",
                };
            }
        }
    }

    /// <summary>Reads <c>GENLAB_TENSOR_FILL</c> and sets libc10's allocator flags accordingly. Call once at start-up,
    /// before the first tensor; a bad value is an <see cref="ArgumentException"/>. Under <c>auto</c> and <c>none</c>
    /// libc10's defaults already hold, so libtorch is not loaded for it (commands that train nothing stay light).</summary>
    public static string Apply()
    {
        var fill = Parse(Environment.GetEnvironmentVariable(Variable));
        lock (Gate)
        {
            _setting = fill;
            _zeroing = fill == Fill.Zero;
            Write(fill == Fill.Auto ? Fill.None : fill);
        }
        return Status;
    }

    /// <summary>Called by every model that runs convolutions, before its first tensor: under <c>auto</c>, new tensor
    /// memory is zeroed from here on.</summary>
    public static void ForConvolutions()
    {
        lock (Gate)
        {
            if ((_setting ?? Fill.Auto) != Fill.Auto || _zeroing) return;
            _setting = Fill.Auto;
            _zeroing = true;
            Write(Fill.Zero);
        }
    }

    internal static Fill Parse(string? setting) => setting switch
    {
        null or "" or "auto" => Fill.Auto,
        "zero" => Fill.Zero,
        "none" => Fill.None,
        "junk" => Fill.Junk,
        _ => throw new ArgumentException($"environment variable {Variable}='{setting}' must be auto (default), zero, none or junk"),
    };

    /// <summary>The two flags exclude each other (libc10 aborts when both are on), so both go off first.</summary>
    private static void Write(Fill fill)
    {
        if (fill == Fill.None && !_written) return;
        _written = true;
        IntPtr c10 = LoadC10();
        IntPtr zero = NativeLibrary.GetExport(c10, ZeroFlag), junk = NativeLibrary.GetExport(c10, JunkFlag);
        Marshal.WriteByte(zero, 0);
        Marshal.WriteByte(junk, 0);
        if (fill is Fill.Zero or Fill.Junk) Marshal.WriteByte(fill == Fill.Zero ? zero : junk, 1);
    }

    /// <summary>libc10 as TorchSharp loaded it (touching a TorchSharp function loads the native stack first).</summary>
    private static IntPtr LoadC10()
    {
        _ = TorchSharp.torch.get_num_threads();
        string name = OperatingSystem.IsWindows() ? "c10.dll" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so";
        foreach (string dir in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"),
                     AppContext.BaseDirectory,
                 })
        {
            if (NativeLibrary.TryLoad(Path.Combine(dir, name), out IntPtr handle)) return handle;
        }
        return NativeLibrary.Load(name, typeof(TorchSharp.torch).Assembly, null);
    }
}
