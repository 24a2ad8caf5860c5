using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using static TorchSharp.torch;

namespace GenLab.Runner.Hosting;

public sealed class DeviceUnavailableException(string message) : Exception(message);

/// <summary>Turns the experiment's <c>device</c> into a torch device, refusing at once what this build cannot do.</summary>
public static class DeviceSelection
{
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
