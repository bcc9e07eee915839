using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// Batch normalisation over the channel axis (Keras <c>BatchNormalization</c>: momentum 0.99, epsilon 1e-3).
    /// When frozen (<see cref="Layer.Trainable"/> false) it runs in inference mode, as in Keras: moving statistics are used and not updated.
    /// </summary>
    public sealed class BatchNormalization : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.BatchNormalization"/>.</summary>
        public BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            Momentum = momentum;
            Epsilon = epsilon;
        }

        /// <summary>Keras momentum of the moving statistics (torch's momentum is 1 minus this).</summary>
        public double Momentum { get; }
        /// <summary>Added to the variance.</summary>
        public double Epsilon { get; }
        /// <inheritdoc />
        public override string TypeName => "BatchNormalization";
        /// <summary>Scale.</summary>
        public Parameter Gamma { get; private set; } = null!;
        /// <summary>Offset.</summary>
        public Parameter Beta { get; private set; } = null!;
        /// <summary>Moving mean.</summary>
        public Tensor MovingMean { get; private set; } = null!;
        /// <summary>Moving variance.</summary>
        public Tensor MovingVariance { get; private set; } = null!;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            int c = inputShape[^1];
            Gamma = new Parameter(ones(c));
            Beta = new Parameter(zeros(c));
            MovingMean = zeros(c);
            MovingVariance = ones(c);
            register_parameter("gamma", Gamma);
            register_parameter("beta", Beta);
            register_buffer("moving_mean", MovingMean);
            register_buffer("moving_variance", MovingVariance);
            return inputShape;
        }

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            bool useBatchStats = training && Trainable;
            // Images are [N, C, H, W] inside the model and vectors [N, C]: channels are dim 1 for both. Sequences [N, T, C] need a transpose.
            if (input.dim() == 3)
            {
                using var t = input.transpose(1, 2);
                using var y = nn.functional.batch_norm(t, MovingMean, MovingVariance, Gamma, Beta, useBatchStats, 1 - Momentum, Epsilon);
                return y.transpose(1, 2);
            }
            return nn.functional.batch_norm(input, MovingMean, MovingVariance, Gamma, Beta, useBatchStats, 1 - Momentum, Epsilon);
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["momentum"] = Momentum, ["epsilon"] = Epsilon };
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Batch normalisation (Keras <c>BatchNormalization</c>).</summary>
        public static Layers.Layer BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, string? name = null) => new Layers.BatchNormalization(momentum, epsilon, name);
    }
}
