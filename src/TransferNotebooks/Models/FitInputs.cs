using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// What <c>Fit</c> trains on, as Keras's <c>fit(x, y=None)</c> takes it: a tensor of inputs (with
/// <see cref="FitTargets"/>), a <see cref="Dataset"/> (no targets), or a .NET array of feature rows (with integer labels).
/// Converted implicitly, so callers write <c>model.Fit(x, y, ...)</c> or <c>model.Fit(train, ...)</c>.
/// </summary>
/// <remarks>
/// One <c>Fit</c> method instead of three overloads: with two <c>Fit(x, y, ...)</c> overloads F# cannot use the parameter
/// types while checking the arguments, so <c>model.Fit(x, y, callbacks = [ EarlyStopping() ])</c> did not compile without
/// casting each callback to <c>Callback</c>.
/// </remarks>
public readonly struct FitInputs
{
    FitInputs(Tensor? tensor, Dataset? dataset, float[,]? rows, Tensor[]? tensors = null) { Tensor = tensor; Dataset = dataset; Rows = rows; Tensors = tensors; }

    internal Tensor? Tensor { get; }
    internal Tensor[]? Tensors { get; }
    internal Dataset? Dataset { get; }
    internal float[,]? Rows { get; }

    /// <summary>Inputs as a tensor (Keras layout); targets go in <c>y</c>.</summary>
    public static implicit operator FitInputs(Tensor x) => new(x ?? throw new ArgumentNullException(nameof(x)), null, null);

    /// <summary>One tensor per input of a model with several inputs (<c>new Functional([a, b], outputs)</c>), in the model's input order; targets go in <c>y</c>.</summary>
    public static implicit operator FitInputs(Tensor[] x) => new(null, null, null, x ?? throw new ArgumentNullException(nameof(x)));

    /// <summary>One tensor per input (for languages without implicit conversions).</summary>
    public static FitInputs FromTensors(params Tensor[] x) => x;

    /// <summary>Inputs and targets together; leave <c>y</c> out.</summary>
    public static implicit operator FitInputs(Dataset data) => new(null, data ?? throw new ArgumentNullException(nameof(data)), null);

    /// <summary>Rows of features as a .NET array; integer labels go in <c>y</c>.</summary>
    public static implicit operator FitInputs(float[,] x) => new(null, null, x ?? throw new ArgumentNullException(nameof(x)));

    /// <summary>Inputs as a tensor (for languages without implicit conversions).</summary>
    public static FitInputs FromTensor(Tensor x) => x;

    /// <summary>A dataset (for languages without implicit conversions).</summary>
    public static FitInputs FromDataset(Dataset data) => data;

    /// <summary>.NET feature rows (for languages without implicit conversions).</summary>
    public static FitInputs FromRows(float[,] x) => x;

    /// <summary>
    /// The (inputs, targets) pair to train on. <paramref name="owned"/> holds what was made here from .NET arrays, which the
    /// caller disposes after training; null when the caller's tensors are used as they are.
    /// </summary>
    internal (Tensor X, Tensor Y) Resolve(FitTargets y, out IDisposable? owned)
    {
        owned = null;
        if (Dataset is { } given)
        {
            if (y.IsGiven) throw new ArgumentException("Fit got a Dataset and y: a Dataset carries its labels. Fix: call model.Fit(data, ...) without y.", nameof(y));
            return (given.X, given.Y);
        }
        var x = Tensor;
        if (Tensors is { } several)
        {
            x = several.Length == 1 ? several[0] : PackedInputs.Pack(several);
            if (several.Length > 1) owned = x;
        }
        if (x is not null)
        {
            if (y.Tensor is { } t) return (x, t);
            if (y.Tensors is { } targets)
            {
                var packed = targets.Length == 1 ? targets[0].alias() : PackedInputs.Pack(targets);
                owned = owned is null ? packed : new Owned(owned, packed);
                return (x, packed);
            }
            if (y.Labels is { } labels)
            {
                var made = tensor(labels.Select(v => (long)v).ToArray());
                owned = owned is null ? made : new Owned(owned, made);
                return (x, made);
            }
            throw new ArgumentException("Fit got input tensor x but no targets. Fix: pass y (labels or target values), e.g. model.Fit(x, y, ...), or a Dataset.", nameof(y));
        }
        if (Rows is { } rows)
        {
            if (y.Labels is not { } labels)
                throw new ArgumentException("Fit got .NET feature rows (float[,]) without integer labels. Fix: pass y as an int[] with one label per row.", nameof(y));
            var data = Data.Dataset.From(rows, labels);
            owned = data;
            return (data.X, data.Y);
        }
        throw new ArgumentException("Fit got no data. Fix: pass a Dataset, or tensors x and y, e.g. model.Fit(train, epochs: 5).");
    }
}

/// <summary>Several things made for one Fit, disposed together.</summary>
file sealed class Owned(params IDisposable[] parts) : IDisposable
{
    public void Dispose() { foreach (var p in parts) p.Dispose(); }
}

/// <summary>The targets <c>y</c> of <c>Fit</c>: a tensor, or integer labels as a .NET array.</summary>
public readonly struct FitTargets
{
    FitTargets(Tensor? tensor, int[]? labels, Tensor[]? tensors = null) { Tensor = tensor; Labels = labels; Tensors = tensors; }

    internal Tensor? Tensor { get; }
    internal int[]? Labels { get; }
    internal Tensor[]? Tensors { get; }
    internal bool IsGiven => Tensor is not null || Labels is not null || Tensors is not null;

    /// <summary>Targets as a tensor (class indices, one-hot rows, 0/1, or regression values).</summary>
    public static implicit operator FitTargets(Tensor y) => new(y ?? throw new ArgumentNullException(nameof(y)), null);

    /// <summary>One target tensor per output of a model with several outputs, in the model's output order.</summary>
    public static implicit operator FitTargets(Tensor[] y) => new(null, null, y ?? throw new ArgumentNullException(nameof(y)));

    /// <summary>One target tensor per output (for languages without implicit conversions).</summary>
    public static FitTargets FromTensors(params Tensor[] y) => y;

    /// <summary>Integer class labels.</summary>
    public static implicit operator FitTargets(int[] y) => new(null, y ?? throw new ArgumentNullException(nameof(y)));

    /// <summary>Targets as a tensor (for languages without implicit conversions).</summary>
    public static FitTargets FromTensor(Tensor y) => y;

    /// <summary>Integer labels (for languages without implicit conversions).</summary>
    public static FitTargets FromLabels(int[] y) => y;
}
