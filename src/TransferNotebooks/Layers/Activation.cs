using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Activation's saved settings, keyed as Keras names them.</summary>
    public sealed record ActivationConfig(string Activation);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(ActivationConfig))]
    internal sealed partial class ActivationJson : JsonSerializerContext;

    /// <summary>Applies an activation function on its own (Keras <c>Activation</c>).</summary>
    public sealed class Activation : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Activation"/>.</summary>
        public Activation(ActivationFunction function, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) => Function = function;

        /// <summary>The function applied.</summary>
        public ActivationFunction Function { get; }
        /// <inheritdoc />
        public override ActivationFunction? OutputActivation => Function;
        /// <summary>The Activation layer type: name, Keras aliases, and its config record <see cref="ActivationConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Activation, ActivationConfig>("Activation", ActivationJson.Default.ActivationConfig, l => new(l.Function.Name), (c, name, shape) => new Activation(Activations.Get(c.Activation), name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new(null, PyTorchActivations.Apply(Function, context.X, Label), WithoutActivation: context.X);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        public override bool PassesMask => true;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape;
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor CallWithoutActivation(Tensor input, bool training) => input.alias();
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => Function.Apply(input);

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [Function.ToOnnx(graph, inputs[0], this)];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>An activation layer (Keras <c>Activation</c>) by name.</summary>
        public static Layers.Layer Activation(string activation, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Activation(Layers.Activations.Get(activation), name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Activation"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class ActivationRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Activation.Register());
    }
}
