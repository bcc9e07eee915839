using System.Runtime.CompilerServices;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>2-D convolution (Keras <c>Conv2D</c>, channels last in shapes). The kernel is stored as torch wants it, [filters, in, kh, kw].</summary>
    public sealed class Conv2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Conv2D"/>.</summary>
        public Conv2D(int filters, (int H, int W) kernelSize, (int H, int W) strides, string padding, ActivationFunction activation, bool useBias,
            string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2D needs a positive number of filters.");
            Filters = filters;
            KernelSize = kernelSize;
            Strides = strides;
            PaddingMode = Padding.Validate(padding, name ?? "conv2d");
            Activation = activation;
            UseBias = useBias;
        }

        /// <summary>Number of output channels.</summary>
        public int Filters { get; }
        /// <summary>Window size.</summary>
        public (int H, int W) KernelSize { get; }
        /// <summary>Step between windows.</summary>
        public (int H, int W) Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <summary>The activation applied to the output.</summary>
        public ActivationFunction Activation { get; }
        /// <inheritdoc />
        public override ActivationFunction? OutputActivation => Activation;
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <inheritdoc />
        /// <summary>The Conv2D layer type: name, Keras aliases, and its config record <see cref="ConvolutionConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Conv2D, ConvolutionConfig>("Conv2D", ConvolutionJson.Default.ConvolutionConfig,
            l => new(l.Filters, [l.KernelSize.H, l.KernelSize.W], [l.Strides.H, l.Strides.W], l.PaddingMode, l.Activation.Name, l.UseBias),
            FromConfig, "Convolution2D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var (top, bottom) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], KernelSize.H, Strides.H) : (0, 0);
            var (left, right) = PaddingMode == "same" ? Padding.SamePads(InputShape![1], KernelSize.W, Strides.W) : (0, 0);
            var linear = $"{context.Self}({context.X})";
            return new($"Conv2D({InputShape![2]}, {Filters}, {PythonSyntax.Tuple([KernelSize.H, KernelSize.W])}, {PythonSyntax.Tuple([Strides.H, Strides.W])}, "
                + $"{PythonSyntax.List([left, right, top, bottom])}, use_bias={PythonSyntax.Bool(UseBias)})",
                PyTorchActivations.Apply(Activation, linear, Label), [PyTorchClass], linear);
        }

        static readonly PyTorchClass PyTorchClass = new("Conv2D", """
            class Conv2D(nn.Module):
                # Keras Conv2D without its activation, on [N, C, H, W]: kernel (filters, in, kh, kw) as torch's; Keras's "same"
                # padding as explicit (left, right, top, bottom) pads, the odd pixel after.
                def __init__(self, in_channels, filters, kernel_size, strides, pads, use_bias=True):
                    super().__init__()
                    self.strides = strides
                    self.pads = pads
                    self.kernel = nn.Parameter(torch.zeros(filters, in_channels, *kernel_size))
                    self.register_parameter("bias", nn.Parameter(torch.zeros(filters)) if use_bias else None)

                def forward(self, x):
                    if any(self.pads):
                        x = F.pad(x, self.pads)
                    return F.conv2d(x, self.kernel, self.bias, self.strides)
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <summary>The kernel [filters, in_channels, kh, kw].</summary>
        public Parameter Kernel { get; private set; } = null!;
        /// <summary>The bias [filters].</summary>
        public Parameter? Bias { get; private set; }

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new ArgumentException($"Conv2D layer '{Name}' needs images of shape (height, width, channels) but got {ShapeText(inputShape)}. "
                    + (inputShape.Length == 2 ? $"For grayscale images give inputShape: [{inputShape[0]}, {inputShape[1]}, 1]." : "Reshape the input to (H, W, C)."));
            int inC = inputShape[2];
            long fanIn = (long)inC * KernelSize.H * KernelSize.W, fanOut = (long)Filters * KernelSize.H * KernelSize.W;
            Kernel = new Parameter(GlorotUniform([Filters, inC, KernelSize.H, KernelSize.W], fanIn, fanOut));
            register_parameter("kernel", Kernel);
            if (UseBias)
            {
                Bias = new Parameter(zeros(Filters));
                register_parameter("bias", Bias);
            }
            int h = Padding.OutputLength(inputShape[0], KernelSize.H, Strides.H, PaddingMode);
            int w = Padding.OutputLength(inputShape[1], KernelSize.W, Strides.W, PaddingMode);
            if (h <= 0 || w <= 0)
                throw new ArgumentException($"Conv2D layer '{Name}': input {ShapeText(inputShape)} is smaller than the {KernelSize.H}x{KernelSize.W} kernel. Use padding: \"same\" or a smaller kernel.");
            return [h, w, Filters];
        }

        static Conv2D FromConfig(ConvolutionConfig c, string? name, int[]? inputShape)
        {
            c.CheckSupported(name, "Conv2D");
            var k = KerasSettings.Tuple(c.KernelSize, 2, [], name, "Conv2D", "kernel_size");
            var s = KerasSettings.Tuple(c.Strides, 2, [1, 1], name, "Conv2D", "strides");
            return new Conv2D(c.Filters, (k[0], k[1]), (s[0], s[1]), c.Padding, Activations.Get(c.Activation), c.UseBias, name, inputShape);
        }

        /// <inheritdoc />
        public override int[]? KerasAxisOrder(string weightName) => weightName == "kernel" ? [2, 3, 1, 0] : null; // (out, in, kh, kw) -> (kh, kw, in, out)

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor CallWithoutActivation(Tensor input, bool training)
        {
            if (KernelSize == (1, 1))
            {
                // libtorch 2.10's channels-last (oneDNN) 1x1 convolution returns wrong values for some shapes on this AVX-512 CPU
                // (512 filters with a 7x7 output, stride 1 or 2: errors of half the output's scale; ResNet18's conv5 shortcut), where
                // the default layout's kernel is right (checked against float64): 1x1 windows run on the default layout.
                using var dense = input.contiguous();
                return nn.functional.conv2d(dense, Kernel, Bias, strides: [Strides.H, Strides.W]);
            }
            // Channels-last memory takes oneDNN's faster kernels, forward and backward: the MNIST CNN's conv stack 11.5 -> 6.9 ms
            // per batch of 128 with AVX-512 kernels and 13.6 -> 8.9 ms with AVX2 ones (bench/isa-compare, docs/benchmarks.md).
            using var channelsLast = ImageLayout.ToChannelsLastMemory(input);
            using var padded = Padding.Apply(channelsLast, KernelSize, Strides, PaddingMode);
            return nn.functional.conv2d(padded, Kernel, Bias, strides: [Strides.H, Strides.W]);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            var z = CallWithoutActivation(input, training);
            return Activation.IsLinear ? z : Activation.Apply(z);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var (top, bottom) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], KernelSize.H, Strides.H) : (0, 0);
            var (left, right) = PaddingMode == "same" ? Padding.SamePads(InputShape![1], KernelSize.W, Strides.W) : (0, 0);
            string[] args = Bias is null ? [inputs[0], graph.Initializer(Kernel, "kernel")] : [inputs[0], graph.Initializer(Kernel, "kernel"), graph.Initializer(Bias, "bias")];
            var z = graph.Node("Conv", args, new Interop.Onnx.OnnxAttribute("kernel_shape", new long[] { KernelSize.H, KernelSize.W }),
                new Interop.Onnx.OnnxAttribute("strides", new long[] { Strides.H, Strides.W }), new Interop.Onnx.OnnxAttribute("pads", new long[] { top, left, bottom, right }));
            return [Activation.ToOnnx(graph, z, this)];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>2-D convolution (Keras <c>Conv2D</c>) with a square kernel.</summary>
        /// <param name="filters">Output channels.</param>
        /// <param name="kernelSize">Square window size, for example 3.</param>
        /// <param name="strides">Step, 1 by default.</param>
        /// <param name="padding"><c>valid</c> (default) or <c>same</c>.</param>
        /// <param name="activation">Activation by name.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="name">Layer name.</param>
        /// <param name="inputShape">(height, width, channels) for the first layer, for example [28, 28, 1].</param>
        public static Layers.Layer Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? activation = null,
            bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Conv2D(filters, (kernelSize, kernelSize), (strides, strides), padding, Layers.Activations.Get(activation), useBias, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Conv2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class Conv2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Conv2D.Register());
    }
}
