using System.Diagnostics;
using GenLab.Models.Diffusion;
using GenLab.Models.Images;
using GenLab.Runner.Config;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>Sampling speed of an experiment's U-Net: images per second for DDPM with every training step against DDIM
/// with 50 (and the report's other step counts). Speed does not depend on the weights, so the network is freshly
/// initialised; each sampler runs once to warm up, then its median over three runs is reported.</summary>
internal static class SamplingBenchmark
{
    private const int Batch = 16;

    public static int Run(string repoRoot, string experiment)
    {
        var loaded = ExperimentLoader.Load(Path.Combine(repoRoot, experiment), []);
        var model = loaded.Config.ModelAs<DiffusionExperimentConfig>();
        var data = loaded.Config.DataAs<ImageDatasetConfig>();
        int channels = data.Source == ImageSource.Drawer && !data.Grayscale ? 3 : 1;
        manual_seed(1);
        using var unet = new UNet(model.Unet with { CondDim = 0 }, channels, data.Size);
        unet.eval();
        var scheduler = new NoiseScheduler(model.Scheduler);
        var sampler = new DiffusionSampler(scheduler, (x, t, c) => unet.call(x, t, c));
        long[] shape = [Batch, channels, data.Size, data.Size];
        Console.WriteLine($"{loaded.Config.Name}: U-Net {unet.parameters().Sum(p => p.numel()):N0} parameters on {channels}×{data.Size}×{data.Size}, "
            + $"batch {Batch}, torch threads {get_num_threads()}");

        double Time(Func<Generator, DiffusionSamples> sample)
        {
            var seconds = new List<double>();
            for (int run = 0; run < 4; run++)
            {
                using var generator = new Generator(7);
                var clock = Stopwatch.StartNew();
                using (no_grad())
                using (var samples = sample(generator)) { }
                if (run > 0) seconds.Add(clock.Elapsed.TotalSeconds);
            }
            return seconds.Order().ElementAt(seconds.Count / 2);
        }

        foreach (int steps in model.CompareSteps.Append(50).Distinct().Order())
        {
            double s = Time(g => sampler.Ddim(shape, steps, 0, g));
            Console.WriteLine($"DDIM {steps,4} steps: {s,7:F2} s per batch, {Batch / s,7:F2} images/s");
        }
        double ddpm = Time(g => sampler.Ddpm(shape, g));
        Console.WriteLine($"DDPM {scheduler.TrainTimesteps,4} steps: {ddpm,7:F2} s per batch, {Batch / ddpm,7:F2} images/s");
        return 0;
    }
}
