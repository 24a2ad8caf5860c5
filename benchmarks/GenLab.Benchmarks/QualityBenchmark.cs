using System.Diagnostics;
using System.Globalization;
using GenLab.Models.Data;
using GenLab.Models.Drawer;
using GenLab.Models.Images;
using GenLab.Models.Quality;
using SkiaSharp;
using static TorchSharp.torch;

namespace GenLab.Benchmarks;

/// <summary>The quality judge on the lab's procedural datasets: how long the default <see cref="ImageClassifier"/>
/// trains, how accurate it is, how long a cache hit takes, and what <see cref="SampleQuality"/> reports for stand-ins
/// of good and bad generators — fresh real images (the floor), uniform noise, a collapsed generator (one class
/// repeated) and blends of two real images.</summary>
internal static class QualityBenchmark
{
    private const long Seed = 1337;

    public static void Run(int threads)
    {
        if (threads > 0) set_num_threads(threads);
        var c = new ImageClassifierConfig();
        Console.WriteLine($"torch threads {get_num_threads()}; classifier defaults: channels [{string.Join(", ", c.Channels)}], "
            + $"feature_dim {c.FeatureDim}, epochs {c.Epochs}, batch {c.BatchSize}, lr {c.Lr}, max_shift {c.MaxShift}, outlier_weight {c.OutlierWeight}");
        Console.WriteLine();

        // The drawer at the autoencoder lab's defaults: 32×32 RGB, 150 per item, free poses.
        Measure("drawer 32x32 rgb, 16 items x 150, free poses",
            count => Drawer(count, Seed), count => Drawer(count, Seed + 1), count => Drawer(count, Seed + 2), 150);
        Measure("rendered digits 28x28 gray (stand-in for the digits dataset), 10 classes x 240",
            count => Digits(count, Seed), count => Digits(count, Seed + 1), count => Digits(count, Seed + 2), 240);
    }

    private static void Measure(string name, Func<int, (Tensor, string[])> train, Func<int, (Tensor, string[])> fresh,
        Func<int, (Tensor, string[])> fresh2, int perClass)
    {
        using var scope = NewDisposeScope();
        Console.WriteLine($"## {name}");
        var (images, labels) = train(perClass);
        string cacheRoot = Directory.CreateTempSubdirectory("genlab-quality-bench-").FullName;
        try
        {
            var trained = ClassifierCache.GetOrTrain(cacheRoot, name, Seed, images, labels, log: line => Console.WriteLine("  " + line));
            var s = trained.Scores;
            Console.WriteLine($"trained in {s.TrainSeconds:F1} s: train accuracy {s.TrainAccuracy:P1} ({s.TrainImages} images), "
                + $"val accuracy {s.ValAccuracy:P1} ({s.ValImages} images)");
            trained.Model.Dispose();
            var sw = Stopwatch.StartNew();
            var cached = ClassifierCache.GetOrTrain(cacheRoot, name, Seed, images, labels);
            Console.WriteLine($"cache {cached.Outcome}: {sw.Elapsed.TotalSeconds:F2} s (including hashing {images.shape[0]} images)");
            using var model = cached.Model;

            int judged = 320 / model.ClassNames.Count;
            var (real, _) = fresh(judged);
            var (good, goodLabels) = fresh2(judged);
            int n = (int)good.shape[0];
            var noise = rand([n, images.shape[1], images.shape[2], images.shape[3]], generator: new Generator(7));
            string firstClass = model.ClassNames[0];
            var oneClass = Enumerable.Range(0, goodLabels.Length).Where(i => goodLabels[i] == firstClass).ToArray();
            var collapsed = good.index_select(0, tensor(oneClass, ScalarType.Int64)).repeat(n / oneClass.Length + 1, 1, 1, 1)[..n];
            var blended = (good + good.roll(1, 0)) / 2;

            Console.WriteLine($"judged against {real.shape[0]} fresh real images; each generated set has {n} images");
            Console.WriteLine("| generated set | confident ≥ 0.9 | real confident | classes covered | FID-lite | prompt match |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (setName, set, intended) in new (string, Tensor, string[]?)[]
            {
                ("fresh real images (floor)", good, goodLabels), ("uniform noise", noise, null),
                ($"collapsed: '{firstClass}' repeated", collapsed, null), ("blends of two real images", blended, null),
            })
            {
                var r = SampleQuality.Measure(model, real, set, intended);
                Console.WriteLine($"| {setName} | {r.ConfidentShare:P1} | {r.RealConfidentShare:P1} | {r.ClassesCovered}/{r.ClassNames.Count} "
                    + $"| {r.FidLite:F2} | {(r.MatchShare is { } m ? m.ToString("P1") : "–")} |");
            }
            Console.WriteLine();
        }
        finally
        {
            Directory.Delete(cacheRoot, recursive: true);
        }
    }

    private static (Tensor, string[]) Drawer(int perItem, long seed)
    {
        var (images, items) = DrawerImages.Dataset(perItem, 32, seed);
        return (Stack(images), [.. items.Select(i => i.Name)]);
    }

    /// <summary>MNIST-like digits until the lab's digits dataset lands: a white 0–9 in DejaVu Sans on black, 28×28
    /// gray, 60–80 % of the side tall, rotated up to ±15°, shifted up to 2 px, with slight noise; balanced classes in
    /// a shuffled order.</summary>
    private static (Tensor, string[]) Digits(int perClass, long seed)
    {
        const int size = 28;
        var order = Enumerable.Range(0, 10).SelectMany(d => Enumerable.Repeat(d, perClass)).ToList();
        SplitMix64.ForPurpose(seed, "digits-order").Shuffle(order);
        var rng = SplitMix64.ForPurpose(seed, "digits");
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        var images = new List<ImageData>(order.Count);
        foreach (int digit in order)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            using (var font = new SKFont(typeface, 100) { Edging = SKFontEdging.Antialias })
            using (var ink = new SKPaint { Color = SKColors.White, IsAntialias = true })
            {
                canvas.Clear(SKColors.Black);
                string text = digit.ToString(CultureInfo.InvariantCulture);
                font.MeasureText(text, out var reference);                               // glyph bounds at size 100
                font.Size = (float)(100 * (0.6 + 0.2 * rng.NextDouble()) * size / reference.Height);
                font.MeasureText(text, out var bounds);
                canvas.Translate((float)(size / 2.0 + 4 * (rng.NextDouble() - 0.5)), (float)(size / 2.0 + 4 * (rng.NextDouble() - 0.5)));
                canvas.RotateDegrees((float)(30 * (rng.NextDouble() - 0.5)));
                canvas.DrawText(text, -bounds.MidX, -bounds.MidY, SKTextAlign.Left, font, ink);
            }
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            var gray = ImageData.FromPng(png.ToArray()).ToGray();
            for (int i = 0; i < gray.Pixels.Length; i++)
                gray.Pixels[i] = Math.Clamp(gray.Pixels[i] + (float)(0.03 * rng.NextGaussian()), 0f, 1f);
            images.Add(gray);
        }
        return (Stack(images), [.. order.Select(d => d.ToString(CultureInfo.InvariantCulture))]);
    }

    private static Tensor Stack(IEnumerable<ImageData> images) => stack(images.Select(i => i.ToTensor()).ToList(), 0);   // (N, C, S, S)
}
