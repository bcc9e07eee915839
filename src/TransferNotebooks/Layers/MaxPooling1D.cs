using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>1-D max pooling over a sequence (Keras <c>MaxPooling1D</c>): <c>(steps, channels)</c> to <c>(steps', channels)</c>.</summary>
    public sealed class MaxPooling1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.MaxPooling1D"/>.</summary>
        public MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, IEnumerable<int>? inputShape = null)
            : base(name, inputShape)
        {
            if (poolSize <= 0 || strides is <= 0) throw new ArgumentOutOfRangeException(nameof(poolSize), "MaxPooling1D needs a positive pool size and stride, for example MaxPooling1D(2).");
            PoolSize = poolSize;
            Strides = strides ?? poolSize;
            PaddingMode = Padding.Validate(padding, name ?? "max_pooling1d");
        }

        /// <summary>Window length.</summary>
        public int PoolSize { get; }
        /// <summary>Step between windows (the pool size by default).</summary>
        public int Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <inheritdoc />
        /// <summary>The MaxPooling1D layer type: name, Keras aliases, and its config record <see cref="PoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<MaxPooling1D, PoolingConfig>("MaxPooling1D", PoolingJson.Default.PoolingConfig,
            l => new([l.PoolSize], [l.Strides], l.PaddingMode),
            (c, name, shape) => { KerasSettings.RequireChannelsLast(c.DataFormat, name, "MaxPooling1D"); return new MaxPooling1D(c.PoolSize?[0] ?? 2, c.Strides?[0], c.Padding, name, shape); }, "MaxPool1D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var (before, after) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], PoolSize, Strides) : (0, 0);
            var x = $"{context.X}.transpose(1, 2)";
            if (before != 0 || after != 0) x = $"F.pad({x}, {PythonSyntax.List([before, after])}, value=float(\"-inf\"))";
            return new(null, $"F.max_pool1d({x}, {PoolSize}, {Strides}).transpose(1, 2)");
        }

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 2)
                throw new ArgumentException($"MaxPooling1D layer '{Name}' needs (steps, channels) input but got {ShapeText(inputShape)}.");
            int steps = Padding.OutputLength(inputShape[0], PoolSize, Strides, PaddingMode);
            if (steps <= 0) throw new ArgumentException($"MaxPooling1D layer '{Name}': {inputShape[0]} steps are fewer than the pool size {PoolSize}.");
            return [steps, inputShape[1]];
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            using var channelsFirst = input.transpose(1, 2);
            using var padded = Padding.Apply1D(channelsFirst, PoolSize, Strides, PaddingMode, double.NegativeInfinity);
            using var pooled = nn.functional.max_pool1d(padded, PoolSize, Strides);
            return pooled.transpose(1, 2);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var (before, after) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], PoolSize, Strides) : (0, 0);
            var pooled = graph.Node("MaxPool", [graph.Transpose(inputs[0], 0, 2, 1)], new Interop.Onnx.OnnxAttribute("kernel_shape", new long[] { PoolSize }),
                new Interop.Onnx.OnnxAttribute("strides", new long[] { Strides }), new Interop.Onnx.OnnxAttribute("pads", new long[] { before, after }));
            return [graph.Transpose(pooled, 0, 2, 1)];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>1-D max pooling (Keras <c>MaxPooling1D</c>), windows of 2 by default.</summary>
        public static Layers.Layer MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null) =>
            new Layers.MaxPooling1D(poolSize, strides, padding, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="MaxPooling1D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class MaxPooling1DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => MaxPooling1D.Register());
    }
}
