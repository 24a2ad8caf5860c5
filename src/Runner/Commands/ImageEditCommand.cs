using System.Globalization;
using GenLab.Models.Diffusion;
using GenLab.Models.Images;
using GenLab.Runner.Config;
using GenLab.Runner.Experiments;
using GenLab.Runner.Hosting;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Runner.Commands;

/// <summary><c>sample &lt;run&gt; --image in.png --out out.png</c>: a user's own picture through a trained diffusion
/// model — SDEdit at <c>--strength</c> (optionally from its <c>--sketch</c>, the flat colour blob the sdedit
/// experiment starts from), or, with <c>--inpaint box|bottom|right</c>, RePaint over the hidden part; or through a
/// super-resolution model, which shrinks it to its low resolution and draws it at full size. The picture is resized
/// to the model's side (area average down, bicubic up) and converted to its channels; the output is written at the
/// model's side.</summary>
public static class ImageEditCommand
{
    /// <summary>Larger files are refused before decoding: the models are 28–64 pixels wide.</summary>
    public const long MaxImageBytes = 20 << 20;
    public const int MaxImageSide = 8192;

    public sealed record Options(string Image, string Output, double Strength, bool Sketch, MaskShape? Inpaint, double MaskSize,
        int? Steps, long Seed)
    {
        public string? Problem() =>
            !(Strength is > 0 and <= 1) ? $"--strength must be in (0, 1], got {Strength.ToString(CultureInfo.InvariantCulture)}"
            : !(MaskSize is > 0 and < 1) ? $"--mask-size must be in (0, 1), got {MaskSize.ToString(CultureInfo.InvariantCulture)}"
            : Steps is < 1 or > 100_000 ? $"--steps must be between 1 and 100000, got {Steps}"
            : Sketch && Inpaint is not null ? "--sketch is for SDEdit; leave it out with --inpaint"
            : !Output.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? $"--out must name a .png file, got '{Output}'"
            : null;
    }

    public static int Execute(string reference, Options options)
    {
        if (options.Problem() is { } problem) return CliErrors.Report(problem);
        var file = new FileInfo(options.Image);
        if (!file.Exists) return CliErrors.Report($"--image {options.Image}: file not found");
        if (file.Length > MaxImageBytes) return CliErrors.Report($"--image {options.Image}: {file.Length} bytes is more than the {MaxImageBytes >> 20} MiB an image may have");
        string? outputDirectory = Path.GetDirectoryName(Path.GetFullPath(options.Output));
        if (outputDirectory is not null && !Directory.Exists(outputDirectory)) return CliErrors.Report($"--out {options.Output}: folder {outputDirectory} does not exist");

        ImageData picture;
        try { picture = ImageData.FromPng(options.Image); }
        catch (ArgumentException e) { return CliErrors.Report($"--image {options.Image}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}"); }
        if (picture.Width > MaxImageSide || picture.Height > MaxImageSide)
            return CliErrors.Report($"--image {options.Image}: {picture.Width}×{picture.Height} is larger than {MaxImageSide} pixels a side");

        var context = new ExperimentContext("results", Directory.GetCurrentDirectory());
        DiffusionRun run;
        try
        {
            var found = DiffusionRun.Locate(reference, context, "diffusion", "super_resolution");
            if (found.Info.Kind == "super_resolution")
                return Upscale(picture, options, new SuperResolutionExperiment(found.Loaded.Config, CPU,
                    context with { Resume = found.Checkpoint, WorkingDirectory = found.Info.WorkingDirectory }), found.Loaded.Config.Name, found.Checkpoint.Step);
            run = DiffusionRun.Open(found, context, CPU);
        }
        catch (Exception e) when (e is InvalidDataException or ConfigException)
        {
            return CliErrors.Report($"{reference}: --image needs a diffusion or super-resolution run or checkpoint ({e.Message.Replace("model.init_from: ", "")})");
        }
        using (run)
        {
            var diffusion = run.Experiment;
            int steps = options.Steps ?? diffusion.Config.SampleSteps;
            if (steps > diffusion.Scheduler.TrainTimesteps)
                return CliErrors.Report($"--steps {steps} is more than the model's {diffusion.Scheduler.TrainTimesteps} training timesteps");
            if (options.Inpaint is null && Math.Floor(steps * options.Strength + 1e-9) < 1)
                return CliErrors.Report($"--strength {options.Strength.ToString(CultureInfo.InvariantCulture)} of {steps} steps leaves no step to run");

            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var input = Fit(picture, diffusion.Images.Channels, diffusion.Images.Size);     // (1, C, S, S) in [0, 1]
            if (options.Sketch) input = Sketches.ColourBlobs(input, SketchBlock(diffusion.Images.Size));
            var x0 = DiffusionSampler.FromUnitInterval(input);                               // (1, C, S, S) in [-1, 1]
            using var generator = new Generator((ulong)options.Seed);
            Tensor output;
            string what;
            if (options.Inpaint is { } shape)
            {
                var known = InpaintingSampler.KnownMask(shape, options.MaskSize, diffusion.Images.Size);   // (1, 1, S, S)
                output = new InpaintingSampler(diffusion.Scheduler, diffusion.EmaDenoiser()).RePaint(x0, known, steps, 5, 5, generator);
                what = $"RePaint of a {shape.ToString().ToLowerInvariant()} of {options.MaskSize.ToString(CultureInfo.InvariantCulture)} of the side";
            }
            else
            {
                using var samples = new DiffusionSampler(diffusion.Scheduler, diffusion.EmaDenoiser())
                    .Sdedit(x0, options.Strength, steps, diffusion.Config.Eta, generator);
                output = samples.Images.clone();
                what = $"SDEdit at strength {options.Strength.ToString(CultureInfo.InvariantCulture)}{(options.Sketch ? " from its sketch" : "")}";
            }
            ImageData.FromTensor(DiffusionSampler.ToUnitInterval(output)[0]).SavePng(options.Output);   // (C, S, S)
            Console.WriteLine($"{options.Output}: {what} with {run.Name} (checkpoint step {run.Checkpoint.Step}), "
                + $"{diffusion.Images.Size}×{diffusion.Images.Size}, {steps} steps, seed {options.Seed}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>A super-resolution run: the picture shrunk to the model's low resolution and brought to its full side.</summary>
    private static int Upscale(ImageData picture, Options options, SuperResolutionExperiment model, string name, long step)
    {
        using (model)
        {
            if (options.Sketch || options.Inpaint is not null)
                return CliErrors.Report($"{name} is a super-resolution model: --sketch and --inpaint need a diffusion run");
            using var scope = NewDisposeScope();
            var image = picture.ToTensor().unsqueeze(0);                                      // (1, c, H, W)
            if (image.shape[1] != model.Channels)
                image = model.Channels == 1 ? image.mean([1], keepdim: true) : image.expand(1, model.Channels, -1, -1).contiguous();
            var output = model.Upscale(image, options.Seed);                                 // (1, C, S, S)
            ImageData.FromTensor(output[0]).SavePng(options.Output);
            Console.WriteLine($"{options.Output}: super-resolution by {name} (checkpoint step {step}) from {model.LowResSize}×{model.LowResSize} "
                + $"to {output.shape[2]}×{output.shape[3]}, seed {options.Seed}");
        }
        return ExitCodes.Ok;
    }

    /// <returns>(1, channels, size, size) in [0, 1]: gray to RGB by repeating, RGB to gray by the mean.</returns>
    private static Tensor Fit(ImageData picture, int channels, int size)
    {
        var image = picture.ToTensor().unsqueeze(0);                                          // (1, c, H, W)
        if (image.shape[1] != channels)
            image = channels == 1 ? image.mean([1], keepdim: true) : image.expand(1, channels, -1, -1);
        return Resampling.Resize(image.contiguous(), size);                                  // (1, C, S, S)
    }

    /// <summary>The sketch's block: 4 pixels, as the sdedit experiment's, where the side allows.</summary>
    private static int SketchBlock(int size) => new[] { 4, 2, 1 }.First(k => size % k == 0);
}
