using GenLab.Reports.Compare;
using GenLab.Runner.Config;

namespace GenLab.Runner.Compare;

/// <summary>How each experiment kind's report sections and samples are compared (see <see cref="SectionRules"/> for what
/// every kind shares: sections paired by slug, parts by title, tables on their first column, figures by file name).</summary>
public static class KindComparisons
{
    public static SectionRules For(string kind) => Parse(kind) switch
    {
        // The names each checkpoint invents: drawn with the run's seed plus the step, in the same order.
        ExperimentKind.MlpChar => new()
        {
            Samples = new("Invented names", "The last evaluation's samples of each run: sample i of every run is drawn in the same "
                + "position from a generator seeded with the run's seed plus the step, so equal seeds and steps line up."),
        },
        // Attention heat maps pair by file name; the generated text starts from the same prompt (a newline).
        ExperimentKind.Gpt => new()
        {
            Samples = new("Generated text", "The last evaluation's samples of each run, all continuing the same prompt (a new line), "
                + "sample i of every run from the same seed when seeds and steps agree."),
        },
        // Samples are "question → answer": the rows line up by question; the base-vs-fine-tuned table by question too.
        ExperimentKind.GptFinetune => new()
        {
            Samples = new("Answers to the same questions", "The last evaluation's greedy answers of each run to the held-out questions, "
                + "one row per question.", PromptSeparator: " → "),
        },
        // Sample grids are kept for every checkpoint (samples-000500.png …): compare each run's newest, from the same noise.
        ExperimentKind.Diffusion => new() { Series = [new FigureSeries(@"^samples-([0-9]+)\.png$", "samples-newest")] },
        // The same for super-resolution's per-checkpoint grids.
        ExperimentKind.SuperResolution => new() { Series = [new FigureSeries(@"^superres-([0-9]+)\.png$", "superres-newest")] },
        // Token boundaries pair by tokenizer; the heading's token count is the part that differs.
        ExperimentKind.Tokenize => new() { TitleNoise = [@"\s+—\s+[0-9]+ tokens$"] },
        // Latent plots, reconstructions, grids and the k-NN tables pair by name (the defaults).
        ExperimentKind.Autoencoder or ExperimentKind.Vae or ExperimentKind.ImagePatches or ExperimentKind.DrawerEncodings
            or ExperimentKind.Word2Vec or ExperimentKind.BpeSweep or ExperimentKind.Sdedit or ExperimentKind.Inpainting => new(),
        _ => new(),
    };

    private static ExperimentKind? Parse(string kind) =>
        Enum.GetValues<ExperimentKind>().Select(k => (ExperimentKind?)k)
            .FirstOrDefault(k => ConfigNames.NormalizeEnum(ConfigNames.EnumSpelling(typeof(ExperimentKind), k!.Value)) == ConfigNames.NormalizeEnum(kind));
}
