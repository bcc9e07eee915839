using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// Gated recurrent unit over a sequence (Keras <c>GRU</c>). Weights are Keras's, in Keras's layout and gate order (update,
    /// reset, candidate): <c>kernel (features, 3·units)</c>, <c>recurrent_kernel (units, 3·units)</c> and, with
    /// <see cref="ResetAfter"/> (Keras's default since 2.3, and torch's formula), <c>bias (2, 3·units)</c>: input and recurrent
    /// biases; without it one <c>bias (3·units)</c> and the reset gate applied before the recurrent product. Zero bias at start.
    /// </summary>
    public sealed class GRU : RecurrentLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GRU"/>.</summary>
        public GRU(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, bool resetAfter = true, string? name = null, IEnumerable<int>? inputShape = null)
            : base(units, activation, recurrentActivation, useBias, returnSequences, dropout, recurrentDropout, name, inputShape)
        {
            ResetAfter = resetAfter;
        }

        /// <summary>True: the reset gate multiplies the recurrent product (Keras's default, cuDNN and torch); false: it multiplies the state first.</summary>
        public bool ResetAfter { get; }
        /// <inheritdoc />
        /// <summary>The GRU layer type: name and its config record <see cref="RecurrentConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<GRU, RecurrentConfig>("GRU", RecurrentJson.Default.RecurrentConfig,
            l => l.CommonConfig() with { ResetAfter = l.ResetAfter },
            (c, name, shape) =>
            {
                c.CheckSupported(name, "GRU");
                return new GRU(c.Units, Activations.Get(c.Activation), Activations.Get(c.RecurrentActivation), c.UseBias, c.ReturnSequences,
                    c.Dropout, c.RecurrentDropout, c.ResetAfter ?? true, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new($"GRU({PyTorchArguments()}, reset_after={PythonSyntax.Bool(ResetAfter)})", $"{context.Self}({context.X}, {context.Mask ?? "None"})", [PyTorchBase, PyTorchClass]);

        static readonly PyTorchClass PyTorchClass = new("GRU", """
            class GRU(Recurrent):
                # Keras GRU, gate order (update, reset, candidate): kernel (features, 3 units), recurrent_kernel (units, 3 units);
                # reset_after=True (Keras's default): bias (2, 3 units), input and recurrent biases; False: bias (3 units).
                def __init__(self, features, units, activation=torch.tanh, recurrent_activation=torch.sigmoid, use_bias=True,
                             return_sequences=False, dropout=0.0, recurrent_dropout=0.0, reset_after=True):
                    bias_shape = ((2, 3 * units) if reset_after else (3 * units,)) if use_bias else None
                    super().__init__(features, units, 3, bias_shape, activation, recurrent_activation, return_sequences, dropout, recurrent_dropout)
                    self.reset_after = reset_after

                def input_bias(self):
                    if self.bias is None:
                        return None
                    return self.bias[0] if self.reset_after else self.bias

                def step(self, projected, recurrent_input, previous, carry):
                    u = self.units
                    xz, xr, xh = projected.chunk(3, 1)
                    if self.reset_after:
                        product = recurrent_input.matmul(self.recurrent_kernel)
                        if self.bias is not None:
                            product = product + self.bias[1]
                        rz, rr, rh = product.chunk(3, 1)
                        z = self.recurrent_activation(xz + rz)
                        r = self.recurrent_activation(xr + rr)
                        candidate = self.activation(xh + r * rh)
                    else:
                        z, r = torch.addmm(projected[:, :2 * u], recurrent_input, self.recurrent_kernel[:, :2 * u]).chunk(2, 1)
                        z, r = self.recurrent_activation(z), self.recurrent_activation(r)
                        candidate = self.activation(torch.addmm(xh, r * recurrent_input, self.recurrent_kernel[:, 2 * u:]))
                    return candidate + z * (previous - candidate), carry
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int Gates => 3;
        /// <inheritdoc />
        protected override Tensor InitialBias() => ResetAfter ? zeros(2, 3 * Units) : zeros(3 * Units);
        /// <inheritdoc />
        protected override Tensor? InputBias => Bias is null ? null : ResetAfter ? Bias.select(0, 0) : Bias;

        /// <inheritdoc />
        protected override Tensor Step(Tensor projected, Tensor recurrentInput, Tensor previous, ref Tensor? carry)
        {
            var x = projected.chunk(3, 1);
            Tensor z, r, candidate;
            if (ResetAfter)
            {
                var product = recurrentInput.matmul(RecurrentKernel);
                if (Bias is not null) product = product.add_(Bias.select(0, 1), Scalars.One);
                var rec = product.chunk(3, 1);
                z = RecurrentActivation.Apply(x[0].add(rec[0], Scalars.One));
                r = RecurrentActivation.Apply(x[1].add(rec[1], Scalars.One));
                candidate = Activation.Apply(x[2].add(r.mul(rec[2]), Scalars.One));
            }
            else
            {
                var gates = addmm(projected.narrow(1, 0, 2 * Units), recurrentInput, RecurrentKernel.narrow(1, 0, 2 * Units), 1, 1).chunk(2, 1);
                z = RecurrentActivation.Apply(gates[0]);
                r = RecurrentActivation.Apply(gates[1]);
                candidate = Activation.Apply(addmm(x[2], r.mul(recurrentInput), RecurrentKernel.narrow(1, 2 * Units, Units), 1, 1));
            }
            // h = z·h_prev + (1 - z)·candidate
            return candidate.add(z.mul(previous.sub(candidate)));
        }

        /// <inheritdoc />
        internal override (string Op, Tensor W, Tensor R, Tensor? B, Interop.Onnx.OnnxAttribute[] Attributes)? OnnxRecurrent()
        {
            // Keras's gate order z, r, h is ONNX's; reset_after is ONNX's linear_before_reset, its bias rows [input; recurrent] ONNX's [Wb, Rb].
            var w = Kernel.detach().t().unsqueeze(0);
            var r = RecurrentKernel.detach().t().unsqueeze(0);
            Tensor? b = Bias is null ? null : ResetAfter ? Bias.detach().reshape(1, 6 * Units) : cat([Bias.detach(), zeros(3 * Units)]).unsqueeze(0);
            return ("GRU", w, r, b, [new("linear_before_reset", ResetAfter ? 1L : 0L), .. OnnxActivations([RecurrentActivation, Activation], ["Sigmoid", "Tanh"])]);
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// A GRU layer (Keras <c>GRU</c>, <c>reset_after=True</c> by default as in Keras): lighter than an LSTM (three gates, no
        /// cell state); <paramref name="returnSequences"/> to stack recurrent layers.
        /// </summary>
        public static Layers.Layer GRU(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, bool resetAfter = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.GRU(units, Layers.Activations.Get(activation), Layers.Activations.Get(recurrentActivation), useBias, returnSequences,
                dropout, recurrentDropout, resetAfter, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="GRU"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class GRURegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => GRU.Register());
    }
}
