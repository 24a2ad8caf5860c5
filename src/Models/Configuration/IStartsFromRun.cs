namespace GenLab.Models.Configuration;

/// <summary>A model section that starts from another run's weights (<c>init_from</c>): a fine-tune, or an image
/// editor that reuses a trained diffusion model. What names such a run is an input of this one: retraining it makes
/// this one stale, and <c>verify</c> runs it first.</summary>
public interface IStartsFromRun
{
    /// <summary>A run folder, a checkpoint folder, <c>latest:&lt;experiment name&gt;</c> (or, for a GPT, a .safetensors
    /// file); null: none.</summary>
    string? InitFrom { get; }
}
