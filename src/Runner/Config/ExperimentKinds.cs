using GenLab.Models.Autoencoders;
using GenLab.Models.Diffusion;
using GenLab.Models.Embeddings;
using GenLab.Models.Gpt;
using GenLab.Models.Images;
using GenLab.Models.Mlp;
using GenLab.Models.Tokenizers;
using GenLab.Models.Vae;

namespace GenLab.Runner.Config;

/// <summary>The record types that the <c>data</c> and <c>model</c> sections bind to, per experiment kind.</summary>
public static class ExperimentKinds
{
    public static (Type Data, Type Model) SectionTypes(ExperimentKind kind) => kind switch
    {
        ExperimentKind.MlpChar => (typeof(CharCorpusConfig), typeof(MlpCharConfig)),
        ExperimentKind.Tokenize => (typeof(TokenizeDataConfig), typeof(TokenizeConfig)),
        ExperimentKind.BpeSweep => (typeof(HeldOutCorpusConfig), typeof(BpeSweepConfig)),
        ExperimentKind.ImagePatches => (typeof(ImageSourceConfig), typeof(ImagePatchesConfig)),
        ExperimentKind.DrawerEncodings => (typeof(DrawerDataConfig), typeof(DrawerEncodingsConfig)),
        ExperimentKind.Word2Vec => (typeof(Word2VecDataConfig), typeof(Word2VecExperimentConfig)),
        ExperimentKind.Autoencoder => (typeof(ImageDatasetConfig), typeof(AutoencoderExperimentConfig)),
        ExperimentKind.Vae => (typeof(ImageDatasetConfig), typeof(VaeExperimentConfig)),
        ExperimentKind.Gpt => (typeof(GptTextDataConfig), typeof(GptExperimentConfig)),
        ExperimentKind.GptFinetune => (typeof(QaDataConfig), typeof(GptExperimentConfig)),
        ExperimentKind.Diffusion => (typeof(ImageDatasetConfig), typeof(DiffusionExperimentConfig)),
        ExperimentKind.Sdedit => (typeof(HeldOutImagesConfig), typeof(SdeditConfig)),
        ExperimentKind.Inpainting => (typeof(HeldOutImagesConfig), typeof(InpaintingConfig)),
        ExperimentKind.SuperResolution => (typeof(ImageDatasetConfig), typeof(SuperResolutionConfig)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no section types registered"),
    };

    /// <summary>Trainable kinds go through the shared training loop; the others (tokenizer comparisons, sweeps) are
    /// analyses that run once and write report sections.</summary>
    public static bool IsTrainable(ExperimentKind kind) => kind is ExperimentKind.MlpChar or ExperimentKind.Autoencoder or ExperimentKind.Vae
        or ExperimentKind.Gpt or ExperimentKind.GptFinetune or ExperimentKind.Diffusion or ExperimentKind.SuperResolution;
}
