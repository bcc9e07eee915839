using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// 1-D convolution over a sequence (Keras <c>Conv1D</c>): input <c>(steps, channels)</c>, for example an Embedding's output;
    /// output <c>(steps', filters)</c>. The kernel is stored as torch wants it, [filters, in, width] (Keras's (width, in, filters)
    /// is transposed on import and export).
    /// </summary>
    public sealed class Conv1D : Layer, IHasActivation
    {
        /// <summary>Creates the layer; see <see cref="Keras.Conv1D"/>.</summary>
        public Conv1D(int filters, int kernelSize, int strides, string padding, ActivationFunction activation, bool useBias,
            string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (filters <= 0 || kernelSize <= 0 || strides <= 0)
                throw new ArgumentOutOfRangeException(nameof(filters), "Conv1D needs positive filters, kernelSize and strides, for example Conv1D(32, 7).");
            Filters = filters;
            KernelSize = kernelSize;
            Strides = strides;
            PaddingMode = Padding.Validate(padding, name ?? "conv1d");
            Activation = activation;
            UseBias = useBias;
        }

        /// <summary>Number of output channels.</summary>
        public int Filters { get; }
        /// <summary>Window length in steps.</summary>
        public int KernelSize { get; }
        /// <summary>Step between windows.</summary>
        public int Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <inheritdoc />
        public ActivationFunction Activation { get; }
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <inheritdoc />
        public override string TypeName => "Conv1D";
        /// <summary>The kernel [filters, in_channels, width].</summary>
        public Parameter Kernel { get; private set; } = null!;
        /// <summary>The bias [filters].</summary>
        public Parameter? Bias { get; private set; }

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 2)
                throw new ArgumentException($"Conv1D layer '{Name}' needs sequences of shape (steps, channels) but got {ShapeText(inputShape)}. "
                    + "Token ids go through an Embedding first; images use Conv2D.");
            int inC = inputShape[1];
            Kernel = new Parameter(GlorotUniform([Filters, inC, KernelSize], (long)inC * KernelSize, (long)Filters * KernelSize));
            register_parameter("kernel", Kernel);
            if (UseBias)
            {
                Bias = new Parameter(zeros(Filters));
                register_parameter("bias", Bias);
            }
            int steps = Padding.OutputLength(inputShape[0], KernelSize, Strides, PaddingMode);
            if (steps <= 0)
                throw new ArgumentException($"Conv1D layer '{Name}': {inputShape[0]} steps are fewer than the kernel's {KernelSize}. Use padding: \"same\" or a smaller kernel.");
            return [steps, Filters];
        }

        /// <inheritdoc />
        public Tensor CallWithoutActivation(Tensor input, bool training)
        {
            using var channelsFirst = input.transpose(1, 2);
            using var padded = Padding.Apply1D(channelsFirst, KernelSize, Strides, PaddingMode);
            using var y = nn.functional.conv1d(padded, Kernel, Bias, stride: Strides);
            return y.transpose(1, 2);
        }

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            var z = CallWithoutActivation(input, training);
            return Activation.IsLinear ? z : Activation.Apply(z);
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
        {
            ["filters"] = Filters, ["kernel_size"] = new[] { KernelSize }, ["strides"] = new[] { Strides },
            ["padding"] = PaddingMode, ["activation"] = Activation.Name, ["use_bias"] = UseBias,
        };
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>1-D convolution over a sequence (Keras <c>Conv1D</c>), for example <c>Conv1D(32, 7, activation: "relu")</c> after an Embedding.</summary>
        /// <param name="filters">Output channels.</param>
        /// <param name="kernelSize">Window length in steps.</param>
        /// <param name="strides">Step, 1 by default.</param>
        /// <param name="padding"><c>valid</c> (default) or <c>same</c>.</param>
        /// <param name="activation">Activation by name.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="name">Layer name.</param>
        /// <param name="inputShape">(steps, channels) for the first layer.</param>
        public static Layers.Layer Conv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? activation = null,
            bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Conv1D(filters, kernelSize, strides, padding, Layers.Activations.Get(activation), useBias, name, inputShape);
    }
}
