using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>2-D average pooling (Keras <c>AveragePooling2D</c>); with "same" padding the padded cells are not counted, as in Keras.</summary>
    public sealed class AveragePooling2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.AveragePooling2D"/>.</summary>
        public AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, IEnumerable<int>? inputShape = null)
            : base(name, inputShape)
        {
            PoolSize = poolSize;
            Strides = strides ?? poolSize;
            PaddingMode = Padding.Validate(padding, name ?? "average_pooling2d");
        }

        /// <summary>Window size.</summary>
        public int PoolSize { get; }
        /// <summary>Step between windows.</summary>
        public int Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <inheritdoc />
        public override string TypeName => "AveragePooling2D";

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 3) throw new ArgumentException($"AveragePooling2D layer '{Name}' needs (height, width, channels) input but got {ShapeText(inputShape)}.");
            return [Padding.OutputLength(inputShape[0], PoolSize, Strides, PaddingMode), Padding.OutputLength(inputShape[1], PoolSize, Strides, PaddingMode), inputShape[2]];
        }

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            if (PaddingMode == "valid") return nn.functional.avg_pool2d(input, [PoolSize, PoolSize], [Strides, Strides]);
            // Average of the real cells only: sum over the zero-padded input divided by the count of real cells per window.
            using var scope = NewDisposeScope();
            var padded = Padding.Apply(input, (PoolSize, PoolSize), (Strides, Strides), PaddingMode);
            var ones = Padding.Apply(ones_like(input[..1, ..1]), (PoolSize, PoolSize), (Strides, Strides), PaddingMode);
            var sums = nn.functional.avg_pool2d(padded, [PoolSize, PoolSize], [Strides, Strides]);
            var counts = nn.functional.avg_pool2d(ones, [PoolSize, PoolSize], [Strides, Strides]);
            return (sums / counts).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
        { ["pool_size"] = new[] { PoolSize, PoolSize }, ["strides"] = new[] { Strides, Strides }, ["padding"] = PaddingMode };
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>2-D average pooling (Keras <c>AveragePooling2D</c>), 2x2 by default.</summary>
        public static Layers.Layer AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null) =>
            new Layers.AveragePooling2D(poolSize, strides, padding, name);
    }
}
