using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// Long short-term memory over a sequence (Keras <c>LSTM</c>). Weights are Keras's, in Keras's layout and gate order (input,
    /// forget, cell, output): <c>kernel (features, 4·units)</c>, <c>recurrent_kernel (units, 4·units)</c>, <c>bias (4·units)</c>,
    /// so .h5/.keras LSTM weights load as they are. Initialisation as Keras: Glorot-uniform kernel, orthogonal recurrent
    /// kernel, zero bias with the forget gate's part set to 1.
    /// </summary>
    public sealed class LSTM : RecurrentLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.LSTM"/>.</summary>
        public LSTM(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, string? name = null, IEnumerable<int>? inputShape = null)
            : base(units, activation, recurrentActivation, useBias, returnSequences, dropout, recurrentDropout, name, inputShape) { }

        /// <inheritdoc />
        /// <summary>The LSTM layer type: name and its config record <see cref="RecurrentConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<LSTM, RecurrentConfig>("LSTM", RecurrentJson.Default.RecurrentConfig,
            l => l.CommonConfig(),
            (c, name, shape) =>
            {
                c.CheckSupported(name, "LSTM");
                return new LSTM(c.Units, Activations.Get(c.Activation), Activations.Get(c.RecurrentActivation), c.UseBias, c.ReturnSequences,
                    c.Dropout, c.RecurrentDropout, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new("LSTM(" + PyTorchArguments() + ")", $"{context.Self}({context.X}, {context.Mask ?? "None"})", [PyTorchBase, PyTorchClass]);

        static readonly PyTorchClass PyTorchClass = new("LSTM", """
            class LSTM(Recurrent):
                # Keras LSTM, gate order (input, forget, cell, output): kernel (features, 4 units), recurrent_kernel (units, 4 units), bias (4 units).
                def __init__(self, features, units, activation=torch.tanh, recurrent_activation=torch.sigmoid, use_bias=True,
                             return_sequences=False, dropout=0.0, recurrent_dropout=0.0):
                    super().__init__(features, units, 4, (4 * units,) if use_bias else None, activation, recurrent_activation,
                                     return_sequences, dropout, recurrent_dropout)

                def initial_carry(self, x):
                    return x.new_zeros(x.shape[0], self.units)

                def step(self, projected, recurrent_input, previous, carry):
                    i, f, g, o = torch.addmm(projected, recurrent_input, self.recurrent_kernel).chunk(4, 1)
                    i, f, o = self.recurrent_activation(i), self.recurrent_activation(f), self.recurrent_activation(o)
                    c = f * carry + i * self.activation(g)
                    return o * self.activation(c), c
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int Gates => 4;

        /// <inheritdoc />
        protected override Tensor InitialBias()
        {
            var b = zeros(4 * Units);
            b.narrow(0, Units, Units).fill_(1); // Keras's unit_forget_bias
            return b;
        }

        /// <inheritdoc />
        protected override Tensor? InitialCarry(long batch, ScalarType dtype) => zeros(batch, Units, dtype: dtype);

        /// <inheritdoc />
        protected override Tensor Step(Tensor projected, Tensor recurrentInput, Tensor previous, ref Tensor? carry)
        {
            var gate = addmm(projected, recurrentInput, RecurrentKernel, 1, 1).chunk(4, 1);
            var i = RecurrentActivation.Apply(gate[0]);
            var f = RecurrentActivation.Apply(gate[1]);
            var g = Activation.Apply(gate[2]);
            var o = RecurrentActivation.Apply(gate[3]);
            var c = f.mul(carry!).add_(i.mul(g), Scalars.One);
            carry = c;
            return o.mul(Activation.Apply(c));
        }

        /// <inheritdoc />
        internal override (string Op, Tensor W, Tensor R, Tensor? B, Interop.Onnx.OnnxAttribute[] Attributes)? OnnxRecurrent()
        {
            // Keras (and this layer) order the gates i, f, c, o along the kernel's columns; ONNX wants rows i, o, f, c.
            static Tensor Gates(Tensor m, int dim)
            {
                var g = m.chunk(4, dim);
                return cat([g[0], g[3], g[1], g[2]], dim);
            }
            var w = Gates(Kernel.detach(), 1).t().unsqueeze(0);
            var r = Gates(RecurrentKernel.detach(), 1).t().unsqueeze(0);
            Tensor? b = Bias is null ? null : cat([Gates(Bias.detach(), 0), zeros(4 * Units)]).unsqueeze(0);
            return ("LSTM", w, r, b, OnnxActivations([RecurrentActivation, Activation, Activation], ["Sigmoid", "Tanh", "Tanh"]));
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// An LSTM layer (Keras <c>LSTM</c>): <c>LSTM(32)</c> after an Embedding for text, <c>LSTM(64, inputShape: [28, 28])</c> to
        /// read images row by row; <paramref name="returnSequences"/> to stack LSTMs.
        /// </summary>
        public static Layers.Layer LSTM(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.LSTM(units, Layers.Activations.Get(activation), Layers.Activations.Get(recurrentActivation), useBias, returnSequences,
                dropout, recurrentDropout, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="LSTM"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class LSTMRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => LSTM.Register());
    }
}
