using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class Conv1DTests
{
    [Fact]
    public void Shapes_follow_keras_for_valid_same_strides_and_pooling()
    {
        using var m = new Sequential(Conv1D(8, 5, inputShape: [20, 3]), Conv1D(6, 3, strides: 2, padding: "same"), MaxPooling1D(3, padding: "same"), GlobalMaxPooling1D(), Dense(2));
        Assert.Equal(new[] { 16, 8 }, m.Layers[0].OutputShape);
        Assert.Equal(new[] { 8, 6 }, m.Layers[1].OutputShape);
        Assert.Equal(new[] { 3, 6 }, m.Layers[2].OutputShape);
        Assert.Equal(new[] { 6 }, m.Layers[3].OutputShape);
        Assert.Equal(5 * 3 * 8 + 8, m.Layers[0].ParameterCount);
        using var x = randn(4, 20, 3);
        using var y = m.Predict(x);
        Assert.Equal(new long[] { 4, 2 }, y.shape);
    }

    [Fact]
    public void Reading_digits_as_sequences_of_rows_a_small_conv1d_reaches_82_percent()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        manual_seed(3);
        using var m = new Sequential(Conv1D(32, 3, activation: "relu", inputShape: [28, 28]), MaxPooling1D(2), Conv1D(32, 3, activation: "relu"),
            GlobalMaxPooling1D(), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        m.Fit(train, epochs: 12, batchSize: 64, seed: 1, verbose: 0);
        var accuracy = m.Evaluate(test).Accuracy;
        Assert.True(accuracy >= 0.82, $"Conv1D test accuracy {accuracy:P1}"); // 87.1 % here
    }

    [Fact]
    public void A_text_convolution_saves_and_loads_in_both_formats()
    {
        manual_seed(6);
        using var m = new Sequential(Embedding(30, 5, inputLength: 12), Conv1D(4, 3, padding: "same", activation: "relu"), MaxPooling1D(2),
            Conv1D(3, 2, strides: 2), GlobalMaxPooling1D(), Dense(1, activation: "sigmoid"));
        m.Compile(optimizer: "adam", loss: "binary_crossentropy");
        using var x = randint(0, 30, [6, 12], dtype: ScalarType.Int64);
        RoundTrip.BothFormats(m, x, (back, _) => Assert.Equal(2, Assert.IsType<TransferNotebooks.Layers.Conv1D>(back.Layers[3]).Strides));
    }

    [Fact]
    public void Images_and_tokens_get_a_pointer_to_the_right_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(Conv1D(4, 3, inputShape: [28, 28, 1])));
        Assert.Contains("Conv2D", e.Message);
        Assert.Contains("Embedding", Assert.Throws<ArgumentException>(() => new Sequential(Conv1D(4, 3, inputShape: [28]))).Message);
    }
}
