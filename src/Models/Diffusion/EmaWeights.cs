using GenLab.Models.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GenLab.Models.Diffusion;

/// <summary>Settings of an exponential moving average of the weights.</summary>
public sealed record EmaConfig : IValidatable
{
    /// <summary>d, the largest weight the old average keeps per update; 0.999 averages over roughly the last
    /// 1 / (1 − d) = 1000 updates. DDPM used 0.9999 over 800k steps; short CPU runs want less.</summary>
    public double Decay { get; init; } = 0.999;
    /// <summary>Ramp the decay up as diffusers' <c>EMAModel</c> does by default: the first update copies the weights and
    /// update n uses min(decay, n / (n + 9)), so the average is not dragged towards the random initialisation.
    /// Off: every update uses decay, starting from the weights the average was created with.</summary>
    public bool Warmup { get; init; } = true;

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Decay is not (>= 0 and < 1)) yield return new("decay", "must be in [0, 1)");
    }
}

/// <summary>An exponential moving average (EMA) of a module's parameters, used for sampling instead of the raw
/// weights because it smooths out the last steps' noise (DDPM §B; Song &amp; Ermon 2020). After each optimizer step,
/// <see cref="Update"/> does, for every parameter θ with average θ̄ and the update's decay d:
/// <code>θ̄ ← d · θ̄ + (1 − d) · θ</code>
/// Parameters that do not require gradients and all buffers (e.g. BatchNorm statistics) are copied, not averaged.
/// <para>The average is a second instance of the same module type (<see cref="Average"/>), so it samples like the
/// model, and saves and loads with TorchSharp's own <c>save</c>/<c>load</c>. A checkpoint stores it and
/// <see cref="Updates"/>, and a resumed run sets <see cref="Updates"/> back so the warmup continues where it was.</para></summary>
/// <typeparam name="T">The module type; model and average must have the same parameter names and shapes.</typeparam>
public sealed class EmaWeights<T> : IDisposable where T : nn.Module
{
    /// <param name="model">The trained module; its current weights start the average.</param>
    /// <param name="average">A fresh instance of the same architecture (e.g. <c>new UNet(config)</c>); owned from here
    /// on and put in eval mode with gradients off.</param>
    public EmaWeights(T model, T average, EmaConfig config)
    {
        var issues = config.Validate().ToList();
        if (issues.Count > 0)
            throw new ArgumentException(string.Join("; ", issues.Select(i => $"{i.Key}: {i.Message}")), nameof(config));
        if (ReferenceEquals(model, average))
            throw new ArgumentException("average must be a separate instance of the model's type", nameof(average));
        Config = config;
        Average = average;
        CopyTo(model, Average);
        Average.eval();
        foreach (var parameter in Average.parameters()) parameter.requires_grad = false;
    }

    public EmaConfig Config { get; }
    /// <summary>The averaged weights, as a module to sample with or save.</summary>
    public T Average { get; }
    /// <summary>How many times <see cref="Update"/> has run; a resumed run sets it from its checkpoint.</summary>
    public long Updates
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>The decay used by the n-th update (n ≥ 1). With warmup, diffusers' <c>EMAModel.get_decay</c> with its
    /// defaults: s = n − 1, d = 0 when s = 0 (a copy), else min(decay, (1 + s) / (10 + s)); e.g. 2/11, 3/12, … reaching
    /// 0.999 at n = 8991. Without warmup always decay.</summary>
    public double DecayAt(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (!Config.Warmup) return Config.Decay;
        long s = n - 1;
        return s == 0 ? 0.0 : Math.Min(Config.Decay, (1.0 + s) / (10.0 + s));
    }

    /// <summary>Folds the model's current weights into the average (see the class summary); call after each
    /// optimizer step.</summary>
    public void Update(T model)
    {
        double d = DecayAt(Updates + 1);
        using var _ = no_grad();
        var (parameters, buffers) = Match(Average, model);
        foreach (var (name, averaged, current) in parameters)
        {
            if (averaged.device_type != current.device_type || averaged.device_index != current.device_index)
                throw new ArgumentException($"parameter {name}: the average is on {averaged.device}, the model on {current.device}",
                    nameof(model));
            if (current.requires_grad) averaged.mul_(d).add_(current, alpha: 1 - d);
            else averaged.copy_(current);
        }
        foreach (var (_, averaged, current) in buffers) averaged.copy_(current);
        Updates++;
    }

    /// <summary>Overwrites <paramref name="model"/>'s parameters and buffers with the average (to export or evaluate
    /// the EMA weights in the model itself; to sample, <see cref="Average"/> can be used directly).</summary>
    public void CopyTo(T model) => CopyTo(Average, model);

    public void Dispose() => Average.Dispose();

    private static void CopyTo(T source, T target)
    {
        using var _ = no_grad();
        var pairs = Match(target, source);
        foreach (var (_, to, from) in pairs.Parameters.Concat(pairs.Buffers)) to.copy_(from);
    }

    /// <summary>(name, a's tensor, b's tensor) for every parameter and every buffer of two instances, paired by name;
    /// fails on the first name or shape that differs.</summary>
    private static (List<(string, Tensor, Tensor)> Parameters, List<(string, Tensor, Tensor)> Buffers) Match(T a, T b) =>
        (Match(NamedParameters(a), NamedParameters(b), "parameter"), Match(a.named_buffers(), b.named_buffers(), "buffer"));

    private static IEnumerable<(string, Tensor)> NamedParameters(T module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter));

    private static List<(string, Tensor, Tensor)> Match(IEnumerable<(string Name, Tensor Tensor)> a,
        IEnumerable<(string Name, Tensor Tensor)> b, string kind)
    {
        var byName = b.ToDictionary(x => x.Name, x => x.Tensor);
        var pairs = new List<(string, Tensor, Tensor)>();
        foreach (var (name, tensor) in a)
        {
            if (!byName.Remove(name, out var other))
                throw new ArgumentException($"{kind} {name} is missing from one of the two modules; are they the same architecture?");
            if (!tensor.shape.SequenceEqual(other.shape))
                throw new ArgumentException(
                    $"{kind} {name} has shape ({string.Join(", ", tensor.shape)}) in one module and ({string.Join(", ", other.shape)}) in the other");
            pairs.Add((name, tensor, other));
        }
        if (byName.Count > 0)
            throw new ArgumentException($"{kind} {byName.Keys.First()} is missing from one of the two modules; are they the same architecture?");
        return pairs;
    }
}
