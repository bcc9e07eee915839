using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

/// <summary>Functional models with several inputs (Keras's <c>keras.Model([a, b], outputs)</c>): training, prediction, saving and errors.</summary>
public class FunctionalMultiInputTests
{
    /// <summary>Two inputs, the top and bottom halves of a digit, each through its own convolution, joined by Concatenate.</summary>
    static Functional Halves(int seed = 7)
    {
        manual_seed(seed);
        var top = Input([14, 28, 1], name: "top");
        var bottom = Input([14, 28, 1], name: "bottom");
        var a = Flatten().Call(MaxPooling2D().Call(Conv2D(8, 3, activation: "relu").Call(top)));
        var b = Flatten().Call(MaxPooling2D().Call(Conv2D(8, 3, activation: "relu").Call(bottom)));
        var outputs = Dense(10, activation: "softmax").Call(Concatenate().Call(a, b));
        var model = new Functional([top, bottom], outputs, "halves");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    static Tensor[] Split(Tensor images) => [images.narrow(1, 0, 14), images.narrow(1, 14, 14)];

    [Fact]
    public void A_two_input_model_learns_MNIST_from_the_two_halves_of_each_digit()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        using var model = Halves();
        Assert.Equal(["top", "bottom"], model.Inputs.Select(i => i.InputName));
        var summary = model.Summary();
        Assert.Equal(["InputLayer", "InputLayer"], summary.Layers.Take(2).Select(r => r.Type));
        Assert.Equal("flatten[0][0], flatten_1[0][0]", summary.Layers.Single(r => r.Name == "concatenate").ConnectedTo);

        var history = model.Fit(Split(train.X), train.Y, epochs: 3, batchSize: 64, validationSplit: 0.1, verbose: 0, seed: 1);
        Assert.True(history.Values["loss"][2] < history.Values["loss"][0], "the loss falls");
        Assert.True(history.Values.ContainsKey("val_accuracy"), "the validation split cuts rows of both inputs");
        var acc = model.Evaluate(Split(test.X), test.Y).Accuracy;
        Assert.True(acc > 0.85, $"two-input CNN on the MNIST fixture: test accuracy {acc:P1} (threshold 85%)");

        // Predict takes the inputs as Fit does, and equals running each half through the graph by hand.
        using var few = test.X.narrow(0, 0, 8);
        using var p = model.Predict(Split(few));
        Assert.Equal([8L, 10L], p.shape);
        using var byCall = model.Call(PackedInputs.Pack(Split(few)));
        Assert.True(p.allclose(byCall, 1e-6, 1e-7));
    }

    [Fact]
    public void Integer_token_inputs_keep_their_values_beside_float_inputs()
    {
        manual_seed(3);
        var tokens = Input([5], name: "tokens");
        var numbers = Input([2], name: "numbers");
        var pooled = GlobalAveragePooling1D().Call(Embedding(70000, 4).Call(tokens));
        var outputs = Dense(1).Call(Concatenate().Call(pooled, numbers));
        using var model = new Functional([tokens, numbers], outputs);
        using var ids = tensor(new long[] { 1, 2, 3, 69999, 65537, 5, 6, 7, 8, 9 }).reshape(2, 5); // ids above 2^16 must stay exact
        using var extra = tensor(new float[] { 0.5f, -1f, 2f, 3f }).reshape(2, 2);
        using var p = model.Predict([ids, extra]);
        using var embedded = model.Layers["embedding"].forward(ids).mean([1]);
        using var expected = model.Layers["dense"].forward(cat([embedded, extra], 1));
        Assert.True(p.allclose(expected, 1e-6, 1e-6), "each input reaches its own layers with its own values");
    }

    [Fact]
    public void Save_and_load_keep_the_inputs_and_their_order()
    {
        using var test = Fixtures.MnistTest();
        using var model = Halves();
        var dir = Directory.CreateTempSubdirectory("tn-multi-input-");
        try
        {
            var path = Path.Combine(dir.FullName, "halves.tnmodel");
            model.Save(path);
            using var loaded = Model.Load<Functional>(path);
            Assert.Equal(["top", "bottom"], loaded.Inputs.Select(i => i.InputName));
            using var x = test.X.narrow(0, 0, 16);
            using var a = model.Predict(Split(x));
            using var b = loaded.Predict(Split(x));
            Assert.True(a.allclose(b, 0, 0));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Wrong_inputs_get_errors_that_say_what_to_pass()
    {
        using var test = Fixtures.MnistTest();
        using var model = Halves();
        var one = Assert.Throws<ArgumentException>(() => model.Predict(test.X));
        Assert.Contains("takes 2 inputs", one.Message);
        Assert.Contains("one tensor per input", one.Message);
        var lengths = Assert.Throws<ArgumentException>(() => model.Predict([test.X.narrow(1, 0, 14), test.X.narrow(0, 0, 10).narrow(1, 14, 14)]));
        Assert.Contains("number of samples", lengths.Message);

        var a = Input([3]);
        var unused = Input([3]);
        var e = Assert.Throws<ArgumentException>(() => new Functional([a, unused], Dense(1).Call(a)));
        Assert.Contains("does not reach the output", e.Message);
        var twice = Assert.Throws<ArgumentException>(() => new Functional([a, a], Dense(1).Call(a)));
        Assert.Contains("given twice", twice.Message);
    }
}
