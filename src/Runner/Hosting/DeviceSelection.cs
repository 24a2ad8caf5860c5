using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using static TorchSharp.torch;

namespace GenLab.Runner.Hosting;

public sealed class DeviceUnavailableException(string message) : Exception(message);

/// <summary>Turns the experiment's <c>device</c> into a torch device, refusing at once what this build cannot do.</summary>
public static class DeviceSelection
{
    /// <summary>Why an experiment that asks for <paramref name="choice"/> cannot run here (a GPU-only experiment on a
    /// CPU build or a machine without CUDA), or null when it can. <c>verify</c> and <c>reproduce</c> skip it with this
    /// reason instead of failing, or running for hours on a CPU.</summary>
    public static string? Unavailable(DeviceChoice choice)
    {
        if (choice != DeviceChoice.Cuda) return null;
        if (RunEnvironment.TorchBackend != "cuda") return "needs CUDA (device: cuda); this GenLab is a CPU build (TorchBackend=cpu)";
        return cuda.is_available() ? null : "needs CUDA (device: cuda); no CUDA device is available";
    }

    public static Device Resolve(DeviceChoice choice)
    {
        bool cudaBuild = RunEnvironment.TorchBackend == "cuda";
        switch (choice)
        {
            case DeviceChoice.Cpu:
                return CPU;
            case DeviceChoice.Cuda when !cudaBuild:
                throw new DeviceUnavailableException(
                    "device: cuda, but this GenLab was built with the CPU backend (MSBuild property TorchBackend=cpu). "
                    + "Rebuild with `-p:TorchBackend=cuda` on a machine with CUDA, or use `device: auto` / `--device cpu`.");
            case DeviceChoice.Cuda when !cuda.is_available():
                throw new DeviceUnavailableException(
                    "device: cuda, but no CUDA device is available (TorchBackend=cuda build; check the driver and "
                    + "CUDA_VISIBLE_DEVICES), or use `device: auto` / `--device cpu`.");
            case DeviceChoice.Cuda:
                return CUDA;
            default:
                return cudaBuild && cuda.is_available() ? CUDA : CPU;
        }
    }
}
