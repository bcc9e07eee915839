using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class LSTMTests
{
    [Fact]
    public void Matches_libtorchs_own_LSTM_given_the_same_weights_and_gradients_flow()
    {
        manual_seed(11);
        var layer = new TransferNotebooks.Layers.LSTM(5, returnSequences: true);
        layer.Build([7, 3]);
        using var x = randn(4, 7, 3);
        using var ours = layer.Call(x, training: false);

        // libtorch's fused LSTM: weight_ih = kernelᵀ, weight_hh = recurrent_kernelᵀ, bias_ih = bias, bias_hh = 0 (same gate order i, f, g, o).
        using var reference = nn.LSTM(3, 5, batchFirst: true);
        using (no_grad())
        {
            var p = reference.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
            p["weight_ih_l0"].copy_(layer.Kernel.t());
            p["weight_hh_l0"].copy_(layer.RecurrentKernel.t());
            p["bias_ih_l0"].copy_(layer.Bias!);
            p["bias_hh_l0"].zero_();
        }
        var (expected, hn, cn) = reference.call(x);
        Assert.Equal(new long[] { 4, 7, 5 }, ours.shape);
        Assert.True(ours.allclose(expected, 1e-5, 1e-6), "sequence output differs from torch.nn.LSTM");

        using var last = new TransferNotebooks.Layers.LSTM(5);
        last.Build([7, 3]);
        using (no_grad())
        {
            last.Kernel.copy_(layer.Kernel);
            last.RecurrentKernel.copy_(layer.RecurrentKernel);
            last.Bias!.copy_(layer.Bias!);
        }
        using var final = last.Call(x, training: false);
        Assert.True(final.allclose(hn[0], 1e-5, 1e-6), "last state differs from torch.nn.LSTM's h_n");

        using var loss = last.Call(x, training: true).pow(2).sum();
        loss.backward();
        Assert.True(last.RecurrentKernel.grad is { } g && g.abs().sum().item<float>() > 0, "no gradient reached the recurrent kernel");
    }

    [Fact]
    public void Initialisation_follows_keras_forget_bias_one_and_orthogonal_recurrent_kernel()
    {
        manual_seed(2);
        using var layer = new TransferNotebooks.Layers.LSTM(6);
        layer.Build([4, 3]);
        var bias = layer.Bias!.data<float>().ToArray();
        Assert.All(bias[6..12], b => Assert.Equal(1f, b));
        Assert.All(bias[..6].Concat(bias[12..]), b => Assert.Equal(0f, b));
        using var gram = layer.RecurrentKernel.matmul(layer.RecurrentKernel.t());
        Assert.True(gram.allclose(eye(6), 1e-4, 1e-5), "recurrent kernel rows are not orthonormal");
        Assert.Equal((3 + 6 + 1) * 4 * 6, layer.ParameterCount); // Keras: 4·units·(features + units + 1)
    }

    [Fact]
    public void Reading_digits_row_by_row_an_lstm_reaches_80_percent_on_held_out_digits()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        manual_seed(7);
        using var m = new Sequential(LSTM(48, inputShape: [28, 28]), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = m.Fit(train, epochs: 8, batchSize: 64, seed: 1, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0]);
        var accuracy = m.Evaluate(test).Accuracy;
        Assert.True(accuracy >= 0.80, $"row-by-row LSTM test accuracy {accuracy:P1}"); // 85.8 % here
    }

    [Fact]
    public void Stacked_lstms_on_embeddings_save_and_load_in_both_formats()
    {
        manual_seed(5);
        using var m = new Sequential(Embedding(50, 8, inputLength: 6), LSTM(6, returnSequences: true, dropout: 0.1, recurrentDropout: 0.1), LSTM(4), Dense(1, activation: "sigmoid"));
        m.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
        Assert.Equal(new[] { 6, 6 }, m.Layers[1].OutputShape);
        Assert.Equal(new[] { 4 }, m.Layers[2].OutputShape);
        using var x = randint(0, 50, [9, 6], dtype: ScalarType.Int64);
        using var y = randint(0, 2, [9], dtype: ScalarType.Float32);
        m.Fit(x, y, epochs: 1, batchSize: 3, seed: 1, verbose: 0); // dropout paths run
        RoundTrip.BothFormats(m, x, (back, file) =>
        {
            var lstm = Assert.IsType<TransferNotebooks.Layers.LSTM>(back.Layers[1]);
            Assert.True(lstm.ReturnSequences, file);
            Assert.Equal(0.1, lstm.Dropout);
        });
    }

    [Theory]
    [InlineData("go_backwards")]
    [InlineData("stateful")]
    [InlineData("return_state")]
    public void Keras_recurrent_options_the_layer_lacks_are_refused_by_name(string flag)
    {
        using var m = new Sequential(LSTM(3, inputShape: [4, 2]), Dense(1));
        using var dir = TestData.Temp();
        var path = RoundTrip.KerasFileWithEditedLayer(m, dir, "LSTM", c => c[flag] = true);
        var e = Assert.Throws<NotSupportedException>(() => Model.Load(path));
        Assert.Contains(flag, e.Message);
        Assert.Contains("LSTM", e.Message);
    }

    [Fact]
    public void Wrong_input_rank_says_what_to_put_first()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(LSTM(4, inputShape: [10])));
        Assert.Contains("Embedding", e.Message);
    }
}
