using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Takes the element-wise maximum of its inputs (Keras <c>Maximum</c>).</summary>
    public sealed class Maximum : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Maximum"/>.</summary>
        public Maximum(string? name = null) : base(name) { }

        /// <summary>The Maximum layer type: name and its (empty) config record <see cref="MergeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Maximum, MergeConfig>("Maximum", MergeJson.Default.MergeConfig, l => new(), (c, name, shape) => new Maximum(name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new(null, context.Inputs.Skip(1).Aggregate(context.Inputs[0], (y, x) => $"torch.maximum({y}, {x})"));

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            var y = maximum(inputs[0], inputs[1]); for (int i = 2; i < inputs.Count; i++) y = maximum(y, inputs[i]); return y;
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [graph.Node("Max", inputs)];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Takes the element-wise maximum of its inputs (Keras <c>Maximum</c>). Call it on symbolic tensors: <c>Maximum().Call(a, b)</c>.</summary>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Maximum(string? name = null) => new Layers.Maximum(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Maximum"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class MaximumRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Maximum.Register());
    }
}
