using System.Text.Json;
using GenLab.Models.Images;
using GenLab.Reports.Figures;
using GenLab.Reports.RunFolder;
using GenLab.Runner.Config;
using GenLab.Runner.Runs;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary><c>kind: image_patches</c> — an image becomes a sequence of tokens (Dosovitskiy et al. 2021, "An Image is
/// Worth 16x16 Words"): for each patch size P, the patch grid, the number of tokens (H/P)·(W/P), the values per token
/// C·P·P, and the shape a convolutional patch embedding turns them into.</summary>
public sealed class ImagePatchesExperiment(ExperimentConfig config) : IAnalysisExperiment
{
    public const string ResultsFile = "image_patches.json";

    public sealed record PatchResult(int PatchSize, int Tokens, int ValuesPerToken, IReadOnlyList<long> PatchifyShape, IReadOnlyList<long> EmbeddingShape);
    public sealed record Results(string Source, int Width, int Height, int Channels, IReadOnlyList<PatchResult> Patches);

    public IReadOnlyDictionary<string, double> Run(RunFolder folder, ILogger logger, CancellationToken stop)
    {
        var data = config.DataAs<ImageSourceConfig>();
        var model = config.ModelAs<ImagePatchesConfig>();
        ImageData image = data.Image is { } path ? ImageData.FromPng(path) : ShapeRenderer.Scene(data.Size, config.Seed);
        string source = data.Image ?? $"generated scene ({data.Size}×{data.Size}, seed {config.Seed})";
        foreach (int p in model.PatchSizes.Where(p => image.Height % p != 0 || image.Width % p != 0))
            throw new InvalidDataException($"model.patch_sizes: {p} does not divide the image ({image.Width}×{image.Height}); choose sizes that divide both sides");

        byte[] png = image.ToPng();
        var results = new List<PatchResult>();
        var figures = new List<(string, byte[])> { ("image.png", png) };
        foreach (int p in model.PatchSizes)
        {
            stop.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = image.ToTensor().unsqueeze(0);                                  // (1, C, H, W)
            var tokens = Patches.Patchify(batch, p);                                    // (1, N, C·P·P)
            using var embedding = new PatchEmbedding(image.Channels, model.EmbeddingDim, p);
            using var _ = no_grad();
            var embedded = embedding.call(batch);                                       // (1, N, D)
            results.Add(new PatchResult(p, Patches.TokenCount(image.Height, image.Width, p), image.Channels * p * p,
                tokens.shape, embedded.shape));
            figures.Add(($"patches_{p}.png", PatchGridFigure.Render(png, p, model.Scale)));
            logger.LogInformation("patch {P}×{P}: {Tokens} tokens of {Values} values → embedding {Shape}",
                p, p, results[^1].Tokens, results[^1].ValuesPerToken, string.Join("×", embedded.shape));
        }

        var all = new Results(source, image.Width, image.Height, image.Channels, results);
        ResultsJson.Write(folder.File(ResultsFile), all);
        WriteSection(folder.Path, all, model, figures);
        return results.ToDictionary(r => $"tokens_p{r.PatchSize}", r => (double)r.Tokens);
    }

    private static void WriteSection(string runDir, Results r, ImagePatchesConfig model, List<(string, byte[])> figures)
    {
        string Shape(IReadOnlyList<long> s) => "(" + string.Join(", ", s) + ")";
        var section = new SectionBuilder().Heading("An image as a sequence of patch tokens")
            .Paragraph($"{r.Source}: {r.Width}×{r.Height} pixels, {r.Channels} channel(s). Each P×P patch, flattened, is one token; "
                + $"a Conv2d with kernel = stride = P projects every patch to a {model.EmbeddingDim}-dimensional embedding in one operation.")
            .Table(["patch P", "tokens (H/P)·(W/P)", "values per token C·P·P", "patchify shape (B, N, C·P·P)", "embedding shape (B, N, D)"],
                r.Patches.Select(p => (IReadOnlyList<TableCell>)[p.PatchSize.ToString(), p.Tokens.ToString(), p.ValuesPerToken.ToString(),
                    Shape(p.PatchifyShape), Shape(p.EmbeddingShape)]),
                numeric: [true, true, true, false, false]);
        var pngs = figures.ToDictionary(f => f.Item1, f => f.Item2);
        foreach (var p in r.Patches)
            section.Heading($"P = {p.PatchSize}: {p.Tokens} tokens", level: 3).Figure($"patches_{p.PatchSize}.png", pngs[$"patches_{p.PatchSize}.png"]);
        section.Write(runDir, 10, "patches");
    }
}
