using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Training;

public class FitTests
{
    static Sequential Mlp()
    {
        manual_seed(42);
        var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(128, activation: "relu"), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    [Fact]
    public void An_mlp_trained_briefly_on_the_fixture_reaches_85_percent_on_held_out_digits()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        using var m = Mlp();
        var history = m.Fit(train, epochs: 5, batchSize: 64, validationSplit: 0.1, seed: 1, verbose: 0);
        Assert.Equal(5, history.Count);
        Assert.True(history["loss"][^1] < history["loss"][0], "loss should fall");
        Assert.Contains("val_accuracy", history.Keys);
        var result = m.Evaluate(test);
        Assert.True(result.Accuracy >= 0.85, $"test accuracy {result.Accuracy:P1}");
        Assert.Equal(1000, result.Samples);
    }

    [Fact]
    public void Same_seed_gives_the_same_result()
    {
        using var train = Fixtures.MnistTrain().Take(600, seed: 3);
        double Run()
        {
            using var m = Mlp();
            return m.Fit(train, epochs: 2, batchSize: 32, seed: 7, verbose: 0)["loss"][^1];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Compact_uint8_inputs_train_evaluate_and_predict_exactly_like_their_float32_copy()
    {
        // Raw 0-255 digits: the same values as uint8 and as float32. Each batch is converted on its own inside the loop.
        using var raw = Mnist.LoadData(dataDir: Fixtures.Dir("mnist"), download: false);
        using var bytes = raw.Train.X.narrow(0, 0, 500);
        using var floats = bytes.to_type(ScalarType.Float32);
        using var labels = raw.Train.Y.narrow(0, 0, 500);
        Assert.Equal(ScalarType.Byte, bytes.dtype);
        (double Loss, double ValLoss, float[] Predictions, double Evaluated) Run(Tensor x)
        {
            using var m = Mlp();
            var h = m.Fit(x, labels, epochs: 2, batchSize: 50, validationSplit: 0.2, seed: 5, verbose: 0);
            using var p = m.Predict(x.narrow(0, 0, 20), batchSize: 8);
            return (h["loss"][^1], h["val_loss"][^1], p.data<float>().ToArray(), m.Evaluate(x, labels).Loss);
        }
        var fromBytes = Run(bytes);
        var fromFloats = Run(floats);
        Assert.True(double.IsFinite(fromBytes.Loss));
        Assert.Equal(fromFloats.Loss, fromBytes.Loss);
        Assert.Equal(fromFloats.ValLoss, fromBytes.ValLoss);
        Assert.Equal(fromFloats.Predictions, fromBytes.Predictions);
        Assert.Equal(fromFloats.Evaluated, fromBytes.Evaluated);
    }

    [Fact]
    public void Evaluate_and_predict_run_in_inference_mode_and_agree()
    {
        using var test = Fixtures.MnistTest().Take(200);
        manual_seed(1);
        using var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(32, activation: "relu"), Dropout(0.5), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        using var p1 = m.Predict(test.X, batchSize: 7);
        using var p2 = m.Predict(test.X, batchSize: 200);
        Assert.True(p1.allclose(p2, 1e-5, 1e-6), "dropout must be off and batching must not matter");
        using var rowSums = p1.sum(1);
        Assert.True(rowSums.allclose(ones(200), 1e-4, 1e-5));
        var acc = m.Evaluate(test).Accuracy;
        using var pred = p1.argmax(1);
        var manual = pred.eq(test.Y).to_type(ScalarType.Float32).mean().item<float>();
        Assert.Equal(manual, acc, 5);
    }

    [Fact]
    public void Cancellation_stops_after_the_current_batch_and_leaves_a_usable_model()
    {
        using var train = Fixtures.MnistTrain().Take(1000);
        using var m = Mlp();
        using var cts = new CancellationTokenSource();
        int batches = 0;
        var cb = new TransferNotebooks.Training.Callbacks.LambdaCallback(onTrainBatchEnd: (batch, _) => { batches++; if (batch == 3) cts.Cancel(); });
        var h = m.Fit(train, epochs: 5, batchSize: 50, callbacks: [cb], verbose: 0, cancellationToken: cts.Token);
        Assert.Equal(1, h.Count);
        Assert.Equal(4, batches);
        using var p = m.Predict(train.X);
        Assert.Equal(1000, p.shape[0]);
    }
}
