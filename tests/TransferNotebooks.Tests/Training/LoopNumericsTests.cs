using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Training;

/// <summary>The speed changes of the loop and layers keep the numbers: channels-last convolutions, fused sparse cross-entropy, metrics on logits.</summary>
public class LoopNumericsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Conv2D_on_channels_last_memory_matches_the_default_layout(int channels)
    {
        manual_seed(3);
        var conv = (Conv2D)Conv2D(4, 3, padding: "same", activation: "relu", inputShape: [9, 7, channels]);
        conv.Build([9, 7, channels]);
        using var x = rand(5, channels, 9, 7);
        using var expected = nn.functional.relu(nn.functional.conv2d(nn.functional.pad(x, [1, 1, 1, 1]), conv.Kernel, conv.Bias));
        using var y = conv.Call(x, training: false);
        Assert.Equal(expected.shape, y.shape);
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        using var view = ImageLayout.ToChannelsLastMemory(x);
        Assert.True(view.allclose(x));
        Assert.Equal(1, view.stride(1)); // channels are the innermost dimension in memory
    }

    [Fact]
    public void Fused_sparse_cross_entropy_equals_the_per_sample_mean()
    {
        manual_seed(4);
        var loss = new SparseCategoricalCrossentropy();
        using var logits = randn(16, 10);
        using var labels = randint(0, 10, [16]);
        using var fused = loss.Compute(labels, logits, OutputForm.Logits);
        using var perSample = loss.PerSample(labels, logits, OutputForm.Logits);
        using var mean = perSample.mean();
        using var reference = -logits.log_softmax(-1).gather(1, labels.reshape(-1, 1)).mean();
        Assert.Equal(reference.item<float>(), fused.item<float>(), 5);
        Assert.Equal(reference.item<float>(), mean.item<float>(), 5);
        using var weights = ones(16);
        using var weighted = loss.Compute(labels, logits, OutputForm.Logits, weights);
        Assert.Equal(reference.item<float>(), weighted.item<float>(), 5);
    }

    [Fact]
    public void Accuracy_on_logits_equals_accuracy_on_probabilities()
    {
        manual_seed(5);
        using var logits = randn(64, 10);
        using var labels = randint(0, 10, [64]);
        using var probabilities = logits.softmax(-1);
        using var a = new SparseCategoricalAccuracy();
        using var b = new SparseCategoricalAccuracy();
        Assert.True(a.UsesOnlyScoreOrder);
        a.Update(labels, logits);
        b.Update(labels, probabilities);
        Assert.Equal(b.Result(), a.Result());
        Assert.False(new BinaryAccuracy().UsesOnlyScoreOrder);
    }

    [Fact]
    public void A_small_cnn_trains_with_per_batch_gathers_and_evaluates()
    {
        manual_seed(6);
        using var x = rand(96, 6, 6);
        using var y = randint(0, 3, [96]);
        using var m = new Sequential(Conv2D(4, 3, activation: "relu", inputShape: [6, 6, 1]), Flatten(), Dense(3, activation: "softmax"));
        m.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var h = m.Fit(x, y, epochs: 2, batchSize: 32, shuffle: true, seed: 1, verbose: 0);
        Assert.InRange(h["accuracy"][^1], 0, 1);
        Assert.True(double.IsFinite(h["loss"][^1]));
        var r = m.Evaluate(x, y, batchSize: 32);
        Assert.InRange(r.Accuracy, 0, 1);
    }

    [Fact]
    public void Fit_still_rejects_nan_inputs_and_accepts_large_finite_ones()
    {
        using var m = new Sequential(Dense(2, activation: "softmax", inputShape: [3]));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        using var y = zeros(4, dtype: ScalarType.Int64);
        using var big = full(4, 3, 3e38f); // the sum overflows to infinity: the exact check must run and pass
        m.Fit(big, y, epochs: 1, verbose: 0);
        using var bad = ones(4, 3);
        bad[2, 1] = tensor(float.NaN);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(bad, y, epochs: 1, verbose: 0));
        Assert.Contains("NaN", e.Message);
    }
}
