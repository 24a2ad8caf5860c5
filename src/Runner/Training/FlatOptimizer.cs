using GenLab.Runner.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLab.Runner.Training;

/// <summary>AdamW (Loshchilov &amp; Hutter 2019) or plain SGD over every trainable parameter of a model laid out in
/// ONE flat buffer: each parameter becomes a view of <c>_flat</c>, so an update is a dozen element-wise ops on one
/// long vector instead of a dozen per parameter; the gradient and scratch buffers
/// are allocated once, not at every step. For a small model this is what the step costs: nanoGPT's CPU GPT
/// has 52 parameter tensors, and TorchSharp's per-parameter AdamW plus per-parameter norm clipping spend about
/// 600 tiny native calls a step (measured in benchmarks/GenLab.Benchmarks, mode <c>gpt</c>). PyTorch's
/// <c>foreach</c>/<c>fused</c> AdamW exist for the same reason.
/// <para>The arithmetic is PyTorch's <c>torch.optim.AdamW</c> (amsgrad off): decay
/// p ← p·(1 − lr·wd) on matrices only (weights of Linear/Embedding/Conv, as nanoGPT; never biases or norm gains),
/// then m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε).
/// SGD is p ← p − lr·(g + wd·p) with the same decay split.</para>
/// <para>Parameters must not be replaced after construction (load weights before creating the optimizer; loading
/// into existing parameters with <c>copy_</c>, as <c>Module.load</c> does, is fine).</para></summary>
public sealed class FlatOptimizer : IDisposable
{
    private const int FormatVersion = 1;
    private const double Epsilon = 1e-8;

    private readonly Parameter[] _parameters;    // matrices first, then vectors; each a view of _flat
    private readonly string[] _names;            // each parameter's name in the model (decoder.3.weight)
    private readonly int[] _modelOrder;          // indices into _parameters in the model's own order
    private readonly long _decayed;              // elements of _flat that get weight decay (a prefix)
    private readonly Tensor _flat;               // (P) every parameter's values
    private readonly Tensor? _expAvg;            // (P) AdamW first moment
    private readonly Tensor? _expAvgSq;          // (P) AdamW second moment
    private readonly Tensor _grad;               // (P) the gradients, gathered at every step
    private readonly Tensor[] _gradSlots;        // each parameter's slice of _grad, shaped like it
    private readonly Tensor? _denominator;       // (P) AdamW's denominator, scratch
    private readonly OptimizerKind _kind;
    private readonly double _weightDecay, _beta1, _beta2;
    private long _step;

    public FlatOptimizer(nn.Module model, TrainingConfig t)
    {
        _kind = t.Optimizer;
        _weightDecay = t.WeightDecay;
        (_beta1, _beta2) = (t.Beta1, t.Beta2);
        LearningRate = t.Lr;
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var trainable = named.Select(p => p.parameter).ToList();
        if (trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters", nameof(model));
        var dtype = trainable[0].dtype;
        var device = trainable[0].device;
        if (trainable.Any(p => p.dtype != dtype || p.device.type != device.type || p.device.index != device.index))
            throw new ArgumentException("all trainable parameters must share one dtype and device", nameof(model));
        var ordered = named.Where(p => p.parameter.dim() >= 2).Concat(named.Where(p => p.parameter.dim() < 2)).ToList();
        _parameters = [.. ordered.Select(p => p.parameter)];
        _names = [.. ordered.Select(p => p.name)];
        _modelOrder = [.. named.Select(p => ordered.FindIndex(o => ReferenceEquals(o.parameter, p.parameter)))];
        _decayed = _parameters.Where(p => p.dim() >= 2).Sum(p => p.numel());
        long total = _parameters.Sum(p => p.numel());

        _flat = empty(total, dtype, device);                                 // (P)
        using (no_grad())
        {
            long offset = 0;
            foreach (var p in _parameters)
            {
                long n = p.numel();
                using var view = _flat.narrow(0, offset, n).view(p.shape);
                view.copy_(p);
                p.set_(view);                                                // p now lives in _flat
                offset += n;
            }
        }
        if (_kind == OptimizerKind.AdamW)
        {
            _expAvg = zeros(total, dtype, device);                           // (P)
            _expAvgSq = zeros(total, dtype, device);                         // (P)
            _denominator = empty(total, dtype, device);                      // (P)
        }
        _grad = zeros(total, dtype, device);                                 // (P)
        long start = 0;
        _gradSlots = new Tensor[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            long n = _parameters[i].numel();
            using var slice = _grad.narrow(0, start, n);                     // (n)
            _gradSlots[i] = slice.view(_parameters[i].shape);
            start += n;
        }
    }

    public double LearningRate { get; set; }

    /// <summary>Elements across all trainable parameters.</summary>
    public long Count => _flat.numel();

    /// <summary>Drops every gradient; backward then allocates fresh ones (as PyTorch's <c>set_to_none=True</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad = null;
    }

    /// <summary>Gathers the parameters' gradients into the flat gradient buffer (a parameter without one counts as
    /// zero), scales them so their global L2 norm is at most <paramref name="maxNorm"/> (0 = no clipping, as
    /// <c>clip_grad_norm_</c>), and applies one update — unless the norm is NaN or ±Infinity: then nothing is
    /// applied (a NaN norm would pass any clipping test and poison every weight), and the caller asks
    /// <see cref="FirstNonFinite"/> which gradient it was.</summary>
    /// <returns>The gradient norm before clipping.</returns>
    public double Step(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // 1. Gather: one copy per parameter into its slot of the persistent buffer (no 4·P-byte allocation per step).
        GatherGradients();
        // 2. Clip the global norm; a non-finite norm stops here, the weights untouched.
        double norm = _grad.norm().ToDouble();
        if (!double.IsFinite(norm)) return norm;
        if (maxNorm > 0 && norm > maxNorm) _grad.mul_(maxNorm / (norm + 1e-6));
        _step++;
        double lr = LearningRate;
        // 3. Decoupled weight decay on the matrices (a prefix of _flat).
        if (_weightDecay > 0 && _decayed > 0)
        {
            // AdamW's decoupled decay; for SGD, p − lr·(g + wd·p) is the same factor followed by the step below.
            _flat.narrow(0, 0, _decayed).mul_(1 - lr * _weightDecay);
        }
        // 4. The update, on the whole buffer.
        if (_kind == OptimizerKind.Sgd)
        {
            _flat.add_(_grad, -lr);
            return norm;
        }
        _expAvg!.lerp_(_grad, 1 - _beta1);                                       // m ← β1·m + (1−β1)·g
        _expAvgSq!.mul_(_beta2).addcmul_(_grad, _grad, 1 - _beta2);              // v ← β2·v + (1−β2)·g²
        double biasCorrection1 = 1 - Math.Pow(_beta1, _step);
        double biasCorrection2 = 1 - Math.Pow(_beta2, _step);
        _denominator!.copy_(_expAvgSq).sqrt_().mul_(1 / Math.Sqrt(biasCorrection2)).add_(Epsilon);   // (P) √v̂ + ε
        _flat.addcdiv_(_expAvg, _denominator, -lr / biasCorrection1);
        return norm;
    }

    /// <summary>Whether every parameter value is finite: one reduction over the flat buffer.</summary>
    public bool ParametersFinite()
    {
        using var scope = NewDisposeScope();
        // Every step: one reduction without a mask first. NaN or ±Infinity anywhere makes the sum non-finite; only then
        // is each value checked, since large finite weights can overflow the sum too.
        return float.IsFinite(_flat.sum().item<float>()) || _flat.isfinite().all().item<bool>();
    }

    /// <summary>The first parameter, in the model's order, whose values (or, with <paramref name="gradients"/>, whose
    /// gradients as the last backward left them) hold NaN or ±Infinity, described as
    /// <c>decoder.3.weight (3×32×3×3): 12 NaN, 0 ±Infinity of 864</c>; null when all are finite.</summary>
    public string? FirstNonFinite(bool gradients)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (gradients) GatherGradients();
        foreach (int i in _modelOrder)
        {
            var values = gradients ? _gradSlots[i] : _parameters[i];
            if (values.isfinite().all().item<bool>()) continue;
            long nan = values.isnan().sum().item<long>(), inf = values.isinf().sum().item<long>();
            return $"{_names[i]} ({string.Join("×", values.shape)}): {nan} NaN, {inf} ±Infinity of {values.numel()}";
        }
        return null;
    }

    private void GatherGradients()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].grad is { } g) _gradSlots[i].copy_(g);
            else _gradSlots[i].zero_();
        }
    }

    /// <summary>Step count and moments, in TorchSharp's tensor file format.</summary>
    public void Save(string path)
    {
        using var header = tensor(new long[] { FormatVersion, (long)_kind, _step, _flat.numel() });
        var tensors = new List<Tensor> { header };
        if (_expAvg is not null) tensors.AddRange([_expAvg, _expAvgSq!]);
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(tensors.Count);
        foreach (var t in tensors) t.Save(writer);
    }

    public void Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        int count = reader.ReadInt32();
        using var header = zeros(4, ScalarType.Int64);
        header.Load(reader);
        long[] h = header.data<long>().ToArray();
        if (h[0] != FormatVersion || h[1] != (long)_kind || h[3] != _flat.numel() || count != (_expAvg is null ? 1 : 3))
            throw new InvalidDataException(
                $"{path}: optimizer state (format {h[0]}, {(OptimizerKind)h[1]}, {h[3]} values) does not match this run "
                + $"(format {FormatVersion}, {_kind}, {_flat.numel()} values)");
        _step = h[2];
        if (_expAvg is not null)
        {
            _expAvg.Load(reader);
            _expAvgSq!.Load(reader);
        }
    }

    public void Dispose()
    {
        _expAvg?.Dispose();
        _expAvgSq?.Dispose();
        foreach (var slot in _gradSlots) slot.Dispose();
        _grad.Dispose();
        _denominator?.Dispose();
        // _flat is the parameters' storage; the views keep it alive, and the model disposes them.
        _flat.Dispose();
    }
}
