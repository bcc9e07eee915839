using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>The maximum over the time axis: (steps, channels) to (channels), the usual head of a text convolution.</summary>
    public sealed class GlobalMaxPooling1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalMaxPooling1D"/>.</summary>
        public GlobalMaxPooling1D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        /// <summary>The GlobalMaxPooling1D layer type: name, Keras aliases, and its config record <see cref="GlobalPoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<GlobalMaxPooling1D, GlobalPoolingConfig>("GlobalMaxPooling1D", GlobalPoolingJson.Default.GlobalPoolingConfig,
            l => new(),
            (c, name, shape) => { c.CheckSupported(name, "GlobalMaxPooling1D"); return new GlobalMaxPooling1D(name, shape); }, "GlobalMaxPool1D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, $"{context.X}.amax(1)");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 2 ? [inputShape[1]]
            : throw new ArgumentException($"GlobalMaxPooling1D layer '{Name}' needs (steps, channels) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => input.amax([1]);

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("ReduceMax", [inputs[0]], new Interop.Onnx.OnnxAttribute("axes", new long[] { 1 }), new Interop.Onnx.OnnxAttribute("keepdims", 0L))];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Global max pooling over time (Keras <c>GlobalMaxPooling1D</c>).</summary>
        public static Layers.Layer GlobalMaxPooling1D(string? name = null) => new Layers.GlobalMaxPooling1D(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="GlobalMaxPooling1D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class GlobalMaxPooling1DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => GlobalMaxPooling1D.Register());
    }
}
