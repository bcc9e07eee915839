using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class GRUTests
{
    /// <summary>Keras's gate blocks (z, r, h) reordered to torch's (r, z, n) along <paramref name="dim"/>.</summary>
    static Tensor TorchOrder(Tensor keras, int units, int dim) =>
        cat([keras.narrow(dim, units, units), keras.narrow(dim, 0, units), keras.narrow(dim, 2 * units, units)], dim);

    [Fact]
    public void Reset_after_matches_libtorchs_GRU_given_the_same_weights()
    {
        manual_seed(4);
        using var layer = new TransferNotebooks.Layers.GRU(5, returnSequences: true);
        layer.Build([6, 3]);
        using (no_grad()) layer.Bias!.uniform_(-0.5, 0.5); // Keras starts at zero; make both halves of the bias count
        using var x = randn(4, 6, 3);
        using var ours = layer.Call(x, training: false);

        using var reference = nn.GRU(3, 5, batchFirst: true);
        using (no_grad())
        {
            var p = reference.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
            p["weight_ih_l0"].copy_(TorchOrder(layer.Kernel, 5, 1).t());
            p["weight_hh_l0"].copy_(TorchOrder(layer.RecurrentKernel, 5, 1).t());
            p["bias_ih_l0"].copy_(TorchOrder(layer.Bias![0], 5, 0));
            p["bias_hh_l0"].copy_(TorchOrder(layer.Bias![1], 5, 0));
        }
        var (expected, _) = reference.call(x);
        Assert.Equal(new long[] { 4, 6, 5 }, ours.shape);
        Assert.True(ours.allclose(expected, 1e-5, 1e-6), "GRU output differs from torch.nn.GRU");
        Assert.Equal(new long[] { 2, 15 }, layer.Bias.shape);
        Assert.Equal(3 * 5 * (3 + 5 + 2), layer.ParameterCount); // Keras: 3·units·(features + units + 2) with reset_after
    }

    [Fact]
    public void Reading_digits_row_by_row_a_gru_reaches_80_percent_on_held_out_digits()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        manual_seed(7);
        using var m = new Sequential(GRU(48, inputShape: [28, 28]), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        m.Fit(train, epochs: 8, batchSize: 64, seed: 1, verbose: 0);
        var accuracy = m.Evaluate(test).Accuracy;
        Assert.True(accuracy >= 0.80, $"row-by-row GRU test accuracy {accuracy:P1}");
    }

    [Fact]
    public void Both_formulas_save_and_load_in_both_formats_and_differ_from_each_other()
    {
        manual_seed(9);
        using var m = new Sequential(GRU(6, returnSequences: true, inputShape: [5, 3]), GRU(4, resetAfter: false, recurrentDropout: 0.2), Dense(2, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        Assert.Equal(new long[] { 12 }, ((TransferNotebooks.Layers.GRU)m.Layers[1]).Bias!.shape); // reset_after=False: one bias of 3·units
        using var x = randn(7, 5, 3);
        using var y = randint(0, 2, [7], dtype: ScalarType.Int64);
        m.Fit(x, y, epochs: 2, batchSize: 4, seed: 1, verbose: 0);
        RoundTrip.BothFormats(m, x, (back, file) => Assert.False(Assert.IsType<TransferNotebooks.Layers.GRU>(back.Layers[1]).ResetAfter, file));
        // The same weights read with the other formula give other outputs: the flag is not decorative.
        var before = (TransferNotebooks.Layers.GRU)m.Layers[1];
        using var other = new TransferNotebooks.Layers.GRU(4, resetAfter: true);
        other.Build([5, 6]);
        using (no_grad())
        {
            other.Kernel.copy_(before.Kernel);
            other.RecurrentKernel.copy_(before.RecurrentKernel);
            other.Bias![0].copy_(before.Bias!);
            other.Bias![1].zero_();
        }
        using var seq = m.Layers[0].Call(x, training: false);
        using var a = before.Call(seq, training: false);
        using var b = other.Call(seq, training: false);
        Assert.False(a.allclose(b, 1e-4, 1e-5));
    }
}
