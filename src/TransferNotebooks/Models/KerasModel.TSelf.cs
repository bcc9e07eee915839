using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;

namespace TransferNotebooks.Models;

/// <summary>
/// <see cref="KerasModel"/> with the chaining members returning the model's own type (<typeparamref name="TSelf"/>), so
/// <c>new Sequential(...).Compile(...)</c> stays a <see cref="Sequential"/>. Everything else is <see cref="KerasModel"/>'s.
/// </summary>
/// <typeparam name="TSelf">The model type.</typeparam>
public abstract class KerasModel<TSelf> : KerasModel where TSelf : KerasModel<TSelf>
{
    private protected KerasModel() { }

    /// <inheritdoc cref="KerasModel.Compile(Optimizer, Loss, IEnumerable{string}?)" />
    public new TSelf Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null) => (TSelf)base.Compile(optimizer, loss, metrics);

    /// <inheritdoc cref="KerasModel.Compile(Optimizer, Loss, IEnumerable{Metric})" />
    public new TSelf Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics) => (TSelf)base.Compile(optimizer, loss, metrics);

    /// <inheritdoc cref="KerasModel.Freeze(int?, int?)" />
    public new TSelf Freeze(int? upTo = null, int? from = null) => (TSelf)base.Freeze(upTo, from);

    /// <inheritdoc cref="KerasModel.Freeze(IEnumerable{string})" />
    public new TSelf Freeze(IEnumerable<string> names) => (TSelf)base.Freeze(names);

    /// <inheritdoc cref="KerasModel.Unfreeze(int?, int?)" />
    public new TSelf Unfreeze(int? upTo = null, int? from = null) => (TSelf)base.Unfreeze(upTo, from);

    /// <inheritdoc cref="KerasModel.Unfreeze(IEnumerable{string})" />
    public new TSelf Unfreeze(IEnumerable<string> names) => (TSelf)base.Unfreeze(names);

    /// <inheritdoc cref="KerasModel.ReplaceHead" />
    public new TSelf ReplaceHead(int units, string? activation = null, string? name = null) => (TSelf)base.ReplaceHead(units, activation, name);
}
