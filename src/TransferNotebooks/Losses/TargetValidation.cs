using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>
/// The label checks of each <see cref="TargetKind"/>, run before training (<see cref="Loss.ValidateTargets"/>): one rule per kind,
/// each failure a message that names the fix.
/// </summary>
public static class TargetValidation
{
    /// <summary>Checks <paramref name="y"/> against the loss's target kind and the model's output.</summary>
    /// <param name="loss">The loss (its <see cref="Loss.Targets"/> and name).</param>
    /// <param name="y">The labels, one row per sample.</param>
    /// <param name="samples">The number of samples.</param>
    /// <param name="outputShape">The model's output shape per sample, or null when unknown.</param>
    /// <param name="outputLayerName">The output layer's name, for messages.</param>
    /// <exception cref="ArgumentException">The labels do not fit.</exception>
    public static void Check(Loss loss, Tensor y, long samples, int[]? outputShape, string? outputLayerName)
    {
        int units = outputShape is { Length: > 0 } o ? o[^1] : 0;
        if (loss.Targets is TargetKind.ClassIndices or TargetKind.OneHot && outputShape is { Length: > 1 } os)
            throw new ArgumentException($"The model outputs {Layer.ShapeText(os)} per sample, but a classifier must output one vector of class scores. "
                + "Add Flatten() (or GlobalAveragePooling2D()) before the last Dense layer.");
        switch (loss.Targets)
        {
            case TargetKind.ClassIndices: ClassIndices(loss, y, units, outputLayerName); break;
            case TargetKind.OneHot: OneHot(loss, y, units, outputLayerName); break;
            case TargetKind.Binary: Binary(y, samples, units, outputLayerName); break;
        }
    }

    /// <summary>Integer labels 0..units-1, not one-hot rows, not fractional.</summary>
    static void ClassIndices(Loss loss, Tensor y, int units, string? lastName)
    {
        if (y.dim() == 2 && y.shape[1] > 1)
            throw new ArgumentException($"The labels look one-hot ({Layer.ShapeText(y.shape.Skip(1).Select(d => (int)d))}) but the loss '{loss.Name}' wants class indices. "
                + "Use loss: \"categorical_crossentropy\", or pass integer labels (y.argmax(1)).");
        if (y.is_floating_point())
        {
            using var frac = (y - y.floor()).abs().max();
            if (frac.item<float>() > 0)
                throw new ArgumentException($"The loss '{loss.Name}' wants integer class labels but the labels have fractional values.");
        }
        using var min = y.min();
        using var max = y.max();
        long lo = (long)min.to_type(ScalarType.Float64).item<double>(), hi = (long)max.to_type(ScalarType.Float64).item<double>();
        if (lo < 0 || hi >= units)
            throw new ArgumentException($"Label {(lo < 0 ? lo : hi)} is out of range for the output layer '{lastName}' with {units} units (labels must be 0..{units - 1}). "
                + $"Give the last layer as many units as classes (Dense({hi + 1})), or remap the labels (Dataset.WhereLabel(..., remap: true)).");
    }

    /// <summary>One-hot rows with as many columns as the output has units.</summary>
    static void OneHot(Loss loss, Tensor y, int units, string? lastName)
    {
        if (y.dim() == 1)
            throw new ArgumentException($"The labels are class indices but the loss '{loss.Name}' wants one-hot rows. "
                + "Use loss: \"sparse_categorical_crossentropy\", or convert with Keras.ToCategorical(y, classes).");
        if (y.shape[^1] != units)
            throw new ArgumentException($"One-hot labels have {y.shape[^1]} columns but the output layer '{lastName}' has {units} units.");
    }

    /// <summary>As many 0/1 values per sample as the output has units.</summary>
    static void Binary(Tensor y, long samples, int units, string? lastName)
    {
        if (y.numel() != samples * Math.Max(1, units))
            throw new ArgumentException($"Binary labels have {y.numel() / samples} values per sample but the output layer '{lastName}' has {units} units. "
                + "For two classes use Dense(1, activation: \"sigmoid\") with 0/1 labels, or Dense(2, activation: \"softmax\") with sparse_categorical_crossentropy.");
    }
}
