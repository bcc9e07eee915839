using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Subtracts its second input from its first (Keras <c>Subtract</c>): exactly two inputs.</summary>
    public sealed class Subtract : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Subtract"/>.</summary>
        public Subtract(string? name = null) : base(name) { }

        /// <summary>The Subtract layer type: name and its (empty) config record <see cref="MergeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Subtract, MergeConfig>("Subtract", MergeJson.Default.MergeConfig, l => new(), (c, name, shape) => new Subtract(name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, $"({context.Inputs[0]} - {context.Inputs[1]})");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int MinInputs => 2;
        /// <inheritdoc />
        protected override int MaxInputs => 2;
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            return inputs[0].sub(inputs[1]);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [graph.Node("Sub", [inputs[0], inputs[1]])];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Subtracts its second input from its first (Keras <c>Subtract</c>): exactly two inputs. Call it on symbolic tensors: <c>Subtract().Call(a, b)</c>.</summary>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Subtract(string? name = null) => new Layers.Subtract(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Subtract"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class SubtractRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Subtract.Register());
    }
}
