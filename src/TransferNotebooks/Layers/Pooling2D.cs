using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers;

/// <summary>What 2-D pooling layers share: window, strides (default: the window), valid/same padding, shapes and config.</summary>
public abstract class Pooling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    protected Pooling2D(int poolSize, int? strides, string padding, string defaultName, string? name, IEnumerable<int>? inputShape)
        : base(name, inputShape)
    {
        if (poolSize <= 0) throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize, "The pool size must be positive, for example 2.");
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        PaddingMode = Padding.Validate(padding, name ?? defaultName);
    }

    /// <summary>Window size.</summary>
    public int PoolSize { get; }
    /// <summary>Step between windows (defaults to the pool size).</summary>
    public int Strides { get; }
    /// <summary><c>valid</c> or <c>same</c>.</summary>
    public string PaddingMode { get; }

    /// <summary>Keras's "same" pads as a Python list (left, right, top, bottom) for the exported model.py; null when there are none.</summary>
    internal string? PyTorchPads()
    {
        if (PaddingMode != "same") return null;
        var (top, bottom) = Padding.SamePads(InputShape![0], PoolSize, Strides);
        var (left, right) = Padding.SamePads(InputShape![1], PoolSize, Strides);
        return top == 0 && bottom == 0 && left == 0 && right == 0 ? null : PythonSyntax.List([left, right, top, bottom]);
    }

    /// <inheritdoc />
    protected override int[] BuildCore(int[] inputShape)
    {
        if (inputShape.Length != 3) throw new ArgumentException($"{TypeName} layer '{Name}' needs (height, width, channels) input but got {ShapeText(inputShape)}.");
        return [Padding.OutputLength(inputShape[0], PoolSize, Strides, PaddingMode), Padding.OutputLength(inputShape[1], PoolSize, Strides, PaddingMode), inputShape[2]];
    }

    /// <summary>The ONNX attributes of this pooling: window, strides and Keras's "same" padding (padded cells are left out of the window).</summary>
    private protected Interop.Onnx.OnnxAttribute[] OnnxPoolingAttributes()
    {
        var (top, bottom) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], PoolSize, Strides) : (0, 0);
        var (left, right) = PaddingMode == "same" ? Padding.SamePads(InputShape![1], PoolSize, Strides) : (0, 0);
        return [new("kernel_shape", new long[] { PoolSize, PoolSize }), new("strides", new long[] { Strides, Strides }), new("pads", new long[] { top, left, bottom, right })];
    }
}
