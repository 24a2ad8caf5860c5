using GenLab.Models.Diffusion;
using GenLab.Models.Images;
using GenLab.Models.Tokenizers;
using GenLab.Runner.Experiments;
using GenLab.Runner.Config;

namespace GenLab.Runner.Expectations;

/// <summary>The named results each experiment kind reports (what <c>expect:</c> may name and <c>results.json</c>
/// holds), with what each one means. Some names come from the config itself: one token count per tokenizer label,
/// per patch size, per vocabulary size.</summary>
public static class ResultCatalog
{
    /// <summary>Results the shared training loop reports for every trainable kind.</summary>
    public static readonly IReadOnlyDictionary<string, string> Training = new Dictionary<string, string>
    {
        ["val_loss"] = "validation loss at the last step (over training.final_eval_batches batches)",
        ["best_val_loss"] = "lowest validation loss of any evaluation",
        ["initial_val_loss"] = "validation loss at step 0, before any training",
    };

    public static IReadOnlyDictionary<string, string> Of(ExperimentConfig config)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ExperimentKinds.IsTrainable(config.Kind))
            foreach (var (name, what) in Training) names[name] = what;
        switch (config.Kind)
        {
            case ExperimentKind.Autoencoder or ExperimentKind.Vae:
                names["label_knn_accuracy"] = "share of validation images whose label the k nearest training codes (in latent space) vote for";
                break;
            case ExperimentKind.Gpt:
                names["val_overlap"] = "share of validation characters in lines that also occur in the training text (0: validation is text the model never trained on)";
                break;
            case ExperimentKind.GptFinetune:
                names["answer_loss"] = "fine-tuned model's validation loss on the answer tokens";
                names["base_answer_loss"] = "the base model's validation loss on the same answer tokens (step 0)";
                names["answer_loss_ratio"] = "answer_loss / base_answer_loss (below 1: the fine-tune helped)";
                break;
            case ExperimentKind.Diffusion:
                names["confident_share"] = "share of generated samples the judge classifies with confidence >= the threshold";
                names["real_confident_share"] = "the same share for real validation images (the judge's ceiling)";
                names["classes_covered"] = "share of the classes that at least one confident sample falls in";
                names["fid_lite"] = "Fréchet distance between generated and real images in the judge's feature space";
                names["fid_lite_real"] = "the same distance between two halves of the real images (its floor)";
                names["prompt_match"] = "share of samples the judge classifies as their prompt (text-to-image)";
                names["nearest_train_distance"] = "median RMS pixel distance from a sample to its nearest training image (memorisation check)";
                names["nearest_train_distance_real"] = "the same for validation images, which the model never saw: what a non-copying generator gets";
                break;
            case ExperimentKind.Sdedit:
                foreach (var input in config.ModelAs<SdeditConfig>().Inputs.Select(SdeditExperiment.Name))
                {
                    names[$"{input}_realism_rise"] = $"{input} input: confident share at the strongest strength minus the input's own";
                    names[$"{input}_distance_rise"] = $"{input} input: RMS distance to the input at the strongest strength minus at the weakest";
                    names[$"{input}_distance_increasing"] = $"{input} input: 1 when each stronger strength strays farther from the input, else 0";
                    names[$"{input}_faithfulness_drop"] = $"{input} input: share classified as the original's item at the weakest strength minus at the strongest";
                    names[$"{input}_confident_share"] = $"{input} input: confident share of the outputs at the strongest strength";
                    names[$"{input}_original_class_share"] = $"{input} input: share of the strongest outputs the judge classifies as the original's item";
                }
                break;
            case ExperimentKind.SuperResolution:
                names["sr_psnr"] = "the model's super-resolved validation images: mean PSNR (dB) against the originals";
                names["bicubic_psnr"] = "bicubic upscaling of the same low-resolution images: mean PSNR (dB)";
                names["psnr_gain"] = "sr_psnr minus bicubic_psnr (above 0: the model beats bicubic)";
                names["sr_ssim"] = "the model's mean SSIM against the originals";
                names["bicubic_ssim"] = "bicubic upscaling's mean SSIM";
                names["ssim_gain"] = "sr_ssim minus bicubic_ssim";
                break;
            case ExperimentKind.Inpainting:
                names["repaint_psnr"] = "RePaint: mean PSNR (dB) inside the hidden part against the original";
                names["paste_psnr"] = "pasting the known region at every step: mean PSNR (dB) inside the hidden part";
                names["psnr_gain"] = "repaint_psnr minus paste_psnr (above 0: resampling helped)";
                names["repaint_class_agreement"] = "RePaint: share of filled images the judge classifies as the original's item";
                names["paste_class_agreement"] = "pasting: the same share";
                names["class_agreement_gain"] = "repaint_class_agreement minus paste_class_agreement";
                break;
            case ExperimentKind.Tokenize:
                names["characters"] = "characters (grapheme clusters) in the text";
                foreach (var spec in config.ModelAs<TokenizeConfig>().Tokenizers)
                    names[$"tokens_{TokenizeConfig.LabelOf(spec)}"] = $"tokens of the text with {TokenizeConfig.LabelOf(spec)}";
                break;
            case ExperimentKind.BpeSweep:
                var sweep = config.ModelAs<BpeSweepConfig>();
                foreach (int vocab in sweep.VocabSizes)
                    names[$"tokens_per_character_{vocab}"] = $"held-out tokens per character with a trained BPE of vocabulary {vocab}";
                foreach (var reference in sweep.References)
                {
                    string label = TokenizeConfig.LabelOf(new TokenizerSpec { Type = reference });
                    names[$"tokens_per_character_{label}"] = $"held-out tokens per character with {label}";
                }
                names["tokens_per_character_falls"] = "1 when every larger vocabulary gives fewer held-out tokens per character, else 0";
                break;
            case ExperimentKind.ImagePatches:
                foreach (int p in config.ModelAs<ImagePatchesConfig>().PatchSizes)
                    names[$"tokens_p{p}"] = $"patch tokens of the image with {p}×{p} patches";
                break;
            case ExperimentKind.DrawerEncodings:
                names["onehot_spread"] = "largest minus smallest one-hot distance between two different items, over every distance (0: all equally far)";
                names["factored_related_closer"] = "share of distances under which the type ‖ colour code puts items sharing a type or a colour closer than unrelated ones";
                break;
            case ExperimentKind.Word2Vec:
                names["colour_neighbour_share"] = "share of colour words whose nearest neighbours (cosine) are all colour words";
                names["type_neighbour_share"] = "share of item-type words whose nearest neighbours (cosine) are all type words";
                names["analogy_accuracy"] = "share of the stated analogies whose answer is among the top 3";
                break;
        }
        return names;
    }
}
