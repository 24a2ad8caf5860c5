using GenLab.Runner.Config;
using GenLab.Runner.Training;
using static TorchSharp.torch;

namespace GenLab.Runner.Experiments;

/// <summary>One place that maps an experiment kind to the class that runs it.</summary>
public static class ExperimentFactory
{
    public static ITrainableExperiment Create(ExperimentConfig config, Device device, ExperimentContext context) => config.Kind switch
    {
        ExperimentKind.Gpt or ExperimentKind.GptFinetune => new GptExperiment(config, device, context),
        ExperimentKind.MlpChar => new MlpCharExperiment(config, device),
        ExperimentKind.Autoencoder => new AutoencoderExperiment(config, device),
        ExperimentKind.Diffusion => new DiffusionExperiment(config, device, context),
        ExperimentKind.Vae => new VaeExperiment(config, device),
        ExperimentKind.SuperResolution => new SuperResolutionExperiment(config, device, context),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "no trainable experiment registered for this kind"),
    };

    public static IAnalysisExperiment CreateAnalysis(ExperimentConfig config, Device device, ExperimentContext context) => config.Kind switch
    {
        ExperimentKind.Tokenize => new TokenizeExperiment(config),
        ExperimentKind.BpeSweep => new BpeSweepExperiment(config),
        ExperimentKind.ImagePatches => new ImagePatchesExperiment(config),
        ExperimentKind.DrawerEncodings => new DrawerEncodingsExperiment(config),
        ExperimentKind.Word2Vec => new Word2VecExperiment(config),
        ExperimentKind.Sdedit => new SdeditExperiment(config, device, context),
        ExperimentKind.Inpainting => new InpaintingExperiment(config, device, context),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "no analysis registered for this kind"),
    };
}
