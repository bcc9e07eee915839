using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Multiplies its inputs element-wise (Keras <c>Multiply</c>).</summary>
    public sealed class Multiply : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Multiply"/>.</summary>
        public Multiply(string? name = null) : base(name) { }

        /// <summary>The Multiply layer type: name and its (empty) config record <see cref="MergeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Multiply, MergeConfig>("Multiply", MergeJson.Default.MergeConfig, l => new(), (c, name, shape) => new Multiply(name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, "(" + string.Join(" * ", context.Inputs) + ")");

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            var y = inputs[0].mul(inputs[1]); for (int i = 2; i < inputs.Count; i++) y = y.mul_(inputs[i]); return y;
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [inputs.Skip(1).Aggregate(inputs[0], (y, x) => graph.Node("Mul", [y, x]))];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Multiplies its inputs element-wise (Keras <c>Multiply</c>). Call it on symbolic tensors: <c>Multiply().Call(a, b)</c>.</summary>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Multiply(string? name = null) => new Layers.Multiply(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Multiply"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class MultiplyRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Multiply.Register());
    }
}
