using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>2-D max pooling (Keras <c>MaxPooling2D</c>).</summary>
    public sealed class MaxPooling2D : Pooling2D
    {
        /// <summary>Creates the layer; see <see cref="Keras.MaxPooling2D"/>.</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, IEnumerable<int>? inputShape = null)
            : base(poolSize, strides, padding, "max_pooling2d", name, inputShape) { }

        /// <inheritdoc />
        /// <summary>The MaxPooling2D layer type: name, Keras aliases, and its config record <see cref="PoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<MaxPooling2D, PoolingConfig>("MaxPooling2D", PoolingJson.Default.PoolingConfig,
            l => new([l.PoolSize, l.PoolSize], [l.Strides, l.Strides], l.PaddingMode),
            (c, name, shape) => { var (pool, strides) = c.Square(name, "MaxPooling2D"); return new MaxPooling2D(pool, strides, c.Padding, name, shape); }, "MaxPool2D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var pads = PyTorchPads();
            var x = pads is null ? context.X : $"F.pad({context.X}, {pads}, value=float(\"-inf\"))";
            return new(null, $"F.max_pool2d({x}, {PoolSize}, {Strides})");
        }

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            using var padded = Padding.Apply(input, (PoolSize, PoolSize), (Strides, Strides), PaddingMode, double.NegativeInfinity);
            return nn.functional.max_pool2d(padded, [PoolSize, PoolSize], [Strides, Strides]);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [graph.Node("MaxPool", [inputs[0]], OnnxPoolingAttributes())];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>2-D max pooling (Keras <c>MaxPooling2D</c>), 2x2 by default.</summary>
        public static Layers.Layer MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null) =>
            new Layers.MaxPooling2D(poolSize, strides, padding, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="MaxPooling2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class MaxPooling2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => MaxPooling2D.Register());
    }
}
