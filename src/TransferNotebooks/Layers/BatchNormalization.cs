using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>BatchNormalization's saved settings, keyed as Keras names them.</summary>
    /// <param name="Momentum">Keras momentum of the moving statistics.</param>
    /// <param name="Epsilon">Added to the variance.</param>
    /// <param name="Center">Whether Keras saved an offset (beta); without it beta stays 0.</param>
    /// <param name="Scale">Whether Keras saved a scale (gamma); without it gamma stays 1.</param>
    /// <param name="Axis">The normalised axis; only the last (channel) axis is supported.</param>
    /// <param name="Renorm">Batch renormalization; not supported.</param>
    public sealed record BatchNormalizationConfig(double Momentum = 0.99, double Epsilon = 1e-3, bool Center = true, bool Scale = true,
        [property: JsonConverter(typeof(IntsConverter))] int[]? Axis = null, bool Renorm = false);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(BatchNormalizationConfig))]
    internal sealed partial class BatchNormalizationJson : JsonSerializerContext;

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
        public override LayerType LayerType => Type;

        /// <summary>The BatchNormalization layer type: name and its config record <see cref="BatchNormalizationConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<BatchNormalization, BatchNormalizationConfig>("BatchNormalization",
            BatchNormalizationJson.Default.BatchNormalizationConfig,
            l => new(l.Momentum, l.Epsilon, l.Center, l.Scale, l.Axis),
            (c, name, shape) =>
            {
                KerasSettings.Refuse(c.Renorm, name, "BatchNormalization", "batch renormalization (renorm=True)", "use plain BatchNormalization.");
                return new BatchNormalization(c.Momentum, c.Epsilon, name, shape) { Center = c.Center, Scale = c.Scale, Axis = c.Axis };
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new($"BatchNormalization({InputShape![^1]}, momentum={PythonSyntax.Number(Momentum)}, epsilon={PythonSyntax.Number(Epsilon)})",
                $"{context.Self}({context.X})", [PyTorchClass]);

        static readonly PyTorchClass PyTorchClass = new("BatchNormalization", """
            class BatchNormalization(nn.Module):
                # Keras BatchNormalization over the channel axis (dim 1 of [N, C, ...]; sequences [N, steps, C] are transposed):
                # gamma, beta, moving_mean, moving_variance; Keras momentum (torch's is 1 - momentum).
                def __init__(self, channels, momentum=0.99, epsilon=1e-3):
                    super().__init__()
                    self.momentum = momentum
                    self.epsilon = epsilon
                    self.gamma = nn.Parameter(torch.ones(channels))
                    self.beta = nn.Parameter(torch.zeros(channels))
                    self.register_buffer("moving_mean", torch.zeros(channels))
                    self.register_buffer("moving_variance", torch.ones(channels))

                def forward(self, x):
                    t = x.transpose(1, 2) if x.dim() == 3 else x
                    y = F.batch_norm(t, self.moving_mean, self.moving_variance, self.gamma, self.beta, self.training, 1 - self.momentum, self.epsilon)
                    return y.transpose(1, 2) if x.dim() == 3 else y
            """);

        /// <summary>False when the Keras file has no beta (center=False): beta then stays 0, the same function.</summary>
        public bool Center { get; private init; } = true;
        /// <summary>False when the Keras file has no gamma (scale=False): gamma then stays 1, the same function.</summary>
        public bool Scale { get; private init; } = true;
        /// <summary>The axis a Keras file named (null: the last); only the channel axis is supported.</summary>
        public int[]? Axis { get; private init; }

        /// <inheritdoc />
        public override IReadOnlyList<string> KerasWeightNames =>
            [.. Scale ? ["gamma"] : Array.Empty<string>(), .. Center ? ["beta"] : Array.Empty<string>(), "moving_mean", "moving_variance"];

        /// <inheritdoc />
        public override bool UpdatesWhenFrozen(bool keepTrainingNormalization) => keepTrainingNormalization;
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
            if (Axis is { } axis && (axis.Length != 1 || (axis[0] != -1 && axis[0] != inputShape.Length)))
                throw new NotSupportedException($"Layer '{Name}' (BatchNormalization) normalises axis {string.Join(",", axis)}; only the last (channel) axis is supported.");
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            // Inference form: the moving statistics. Sequences [N, T, C] put channels on axis 1 and back, as Call does.
            bool sequence = InputShape!.Length == 2;
            var x = sequence ? graph.Transpose(inputs[0], 0, 2, 1) : inputs[0];
            var y = graph.Node("BatchNormalization", [x, graph.Initializer(Gamma, "gamma"), graph.Initializer(Beta, "beta"),
                graph.Initializer(MovingMean, "moving_mean"), graph.Initializer(MovingVariance, "moving_variance")], new Interop.Onnx.OnnxAttribute("epsilon", (float)Epsilon));
            return [sequence ? graph.Transpose(y, 0, 2, 1) : y];
        }
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

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="BatchNormalization"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class BatchNormalizationRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => BatchNormalization.Register());
    }
}
