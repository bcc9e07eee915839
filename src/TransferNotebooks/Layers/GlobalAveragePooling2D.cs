using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Averages each channel over height and width: (H, W, C) to (C).</summary>
    public sealed class GlobalAveragePooling2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalAveragePooling2D"/>.</summary>
        public GlobalAveragePooling2D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        /// <summary>The GlobalAveragePooling2D layer type: name, Keras aliases, and its config record <see cref="GlobalPoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<GlobalAveragePooling2D, GlobalPoolingConfig>("GlobalAveragePooling2D", GlobalPoolingJson.Default.GlobalPoolingConfig,
            l => new(),
            (c, name, shape) => { c.CheckSupported(name, "GlobalAveragePooling2D"); return new GlobalAveragePooling2D(name, shape); }, "GlobalAvgPool2D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, $"{context.X}.mean((2, 3))");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 3 ? [inputShape[2]]
            : throw new ArgumentException($"GlobalAveragePooling2D layer '{Name}' needs (height, width, channels) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => input.mean([2, 3]);

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("ReduceMean", [inputs[0]], new Interop.Onnx.OnnxAttribute("axes", new long[] { 2, 3 }), new Interop.Onnx.OnnxAttribute("keepdims", 0L))];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Global average pooling over height and width (Keras <c>GlobalAveragePooling2D</c>).</summary>
        public static Layers.Layer GlobalAveragePooling2D(string? name = null) => new Layers.GlobalAveragePooling2D(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="GlobalAveragePooling2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class GlobalAveragePooling2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => GlobalAveragePooling2D.Register());
    }
}
