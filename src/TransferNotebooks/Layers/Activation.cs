using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>Applies an activation function on its own (Keras <c>Activation</c>).</summary>
    public sealed class Activation : Layer, IHasActivation
    {
        /// <summary>Creates the layer; see <see cref="Keras.Activation"/>.</summary>
        public Activation(ActivationFunction function, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) => Function = function;

        /// <summary>The function applied.</summary>
        public ActivationFunction Function { get; }
        ActivationFunction IHasActivation.Activation => Function;
        /// <inheritdoc />
        public override string TypeName => "Activation";
        /// <inheritdoc />
        public override bool PassesMask => true;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape;
        /// <inheritdoc />
        public Tensor CallWithoutActivation(Tensor input, bool training) => input.alias();
        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training) => Function.Apply(input);
        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["activation"] = Function.Name };
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
