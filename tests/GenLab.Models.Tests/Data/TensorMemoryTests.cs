using GenLab.Models.Autoencoders;
using GenLab.Models.Data;
using GenLab.Models.Tests.Autoencoders;
using static TorchSharp.torch;

namespace GenLab.Models.Tests.Data;

/// <summary>The tensor-memory fill flags reach libc10 and do what the NaN fix relies on: with zero fill, a new tensor
/// holds zeros even where freed tensors left NaN behind. These tests change a process-wide flag, so they share the
/// collection that runs alone; each leaves the process zeroing, the safe state.</summary>
[Collection(nameof(GlobalTorchRngCollection))]
public sealed class TensorMemoryTests : IDisposable
{
    private const int Elements = 1 << 16;          // 256 KiB: a glibc mmap-threshold-sized block, like an activation

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(TensorMemory.Variable, null);
        TensorMemory.Apply();
        TensorMemory.ForConvolutions();
    }

    private static void Use(string? setting)
    {
        Environment.SetEnvironmentVariable(TensorMemory.Variable, setting);
        TensorMemory.Apply();
    }

    /// <summary>Frees tensors full of NaN of the size about to be asked for, so the allocator has dirty blocks to hand
    /// back: what freed SkiaSharp bitmaps did to the drawer labs.</summary>
    private static void DirtyTheHeap()
    {
        for (int i = 0; i < 8; i++)
            using (var nan = full(Elements, float.NaN)) { }
    }

    private static long NonZero(Tensor t)
    {
        using var mask = t.ne(0);
        using var count = mask.sum();
        return count.item<long>();
    }

    [Fact]
    public void Junk_FillsEveryNewTensorWithNaN()
    {
        Use("junk");
        using var fresh = empty(Elements);
        using var nan = fresh.isnan();
        Assert.True(nan.all().item<bool>(), "junk fill should make every float of a new tensor NaN");
        Assert.StartsWith("junk", TensorMemory.Status);
    }

    [Fact]
    public void Zero_NewTensorsAreZero_EvenWhereFreedTensorsLeftNaN()
    {
        Use("zero");
        for (int round = 0; round < 5; round++)
        {
            DirtyTheHeap();
            using var fresh = empty(Elements);
            Assert.Equal(0, NonZero(fresh));
        }
    }

    [Fact]
    public void Auto_LeavesMemoryAloneUntilAConvolutionalModelIsBuilt_ThenZeroes()
    {
        Use("junk");                      // a known dirty state to start from, independent of the allocator's history
        Use(null);
        Assert.Equal("auto: not zeroed (no model with convolutions was built)", TensorMemory.Status);
        using var model = new Autoencoder(new AutoencoderConfig { Architecture = AutoencoderArchitecture.Conv }, 3, 32);
        Assert.Equal("auto: zeroed (a model with convolutions was built)", TensorMemory.Status);
        DirtyTheHeap();
        using var fresh = empty(Elements);
        Assert.Equal(0, NonZero(fresh));
    }

    [Theory]
    [InlineData("none", "none (GENLAB_TENSOR_FILL=none)")]
    [InlineData("zero", "zero (GENLAB_TENSOR_FILL=zero)")]
    public void None_AndZero_AreNotChangedByAConvolutionalModel(string setting, string status)
    {
        Use(setting);
        using var model = new Autoencoder(new AutoencoderConfig { Architecture = AutoencoderArchitecture.Conv }, 1, 32);
        Assert.StartsWith(status, TensorMemory.Status);
    }

    [Theory]
    [InlineData("", TensorMemory.Fill.Auto)]
    [InlineData("auto", TensorMemory.Fill.Auto)]
    [InlineData("zero", TensorMemory.Fill.Zero)]
    [InlineData("none", TensorMemory.Fill.None)]
    [InlineData("junk", TensorMemory.Fill.Junk)]
    public void Parse_KnowsTheFourSettings(string text, TensorMemory.Fill expected) => Assert.Equal(expected, TensorMemory.Parse(text));

    [Fact]
    public void Parse_RejectsAnythingElse_NamingTheVariable()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorMemory.Parse("zeros"));
        Assert.Contains("GENLAB_TENSOR_FILL='zeros'", e.Message);
    }
}
