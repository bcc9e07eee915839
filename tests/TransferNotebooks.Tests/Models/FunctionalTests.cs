using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

public class FunctionalTests
{
    /// <summary>Conv2D -> Conv2D(same) -> Add with the skip -> pooling -> Dense: Keras's residual block on MNIST.</summary>
    static Functional Residual(int seed = 5)
    {
        manual_seed(seed);
        var inputs = Input([28, 28, 1]);
        var x = Conv2D(8, 3, activation: "relu").Call(inputs);
        var y = Conv2D(8, 3, padding: "same", activation: "relu").Call(x);
        var z = Add().Call(x, y);
        z = MaxPooling2D().Call(z);
        var outputs = Dense(10, activation: "softmax").Call(Flatten().Call(z));
        var model = new Functional(inputs, outputs, "residual");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    [Fact]
    public void A_residual_CNN_learns_MNIST_through_the_one_training_loop()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        using var model = Residual();
        Assert.Equal(["conv2d", "conv2d_1", "add", "max_pooling2d", "flatten", "dense"], model.Layers.Select(l => l.Name));
        Assert.Equal([26, 26, 8], model.Layers["add"].OutputShape!);
        var history = model.Fit(train, epochs: 3, batchSize: 64, verbose: 0, seed: 1);
        var acc = model.Evaluate(test).Accuracy;
        Assert.True(history.Values["loss"][1] < history.Values["loss"][0], "the loss falls");
        Assert.True(acc > 0.85, $"residual CNN on the MNIST fixture: test accuracy {acc:P1} (threshold 85%)");
    }

    [Fact]
    public void Summary_lists_the_input_and_Keras_Connected_to_column()
    {
        using var model = Residual();
        var summary = model.Summary();
        Assert.Equal("InputLayer", summary.Layers[0].Type);
        Assert.Equal("conv2d[0][0], conv2d_1[0][0]", summary.Layers.Single(l => l.Name == "add").ConnectedTo);
        Assert.Equal("input_layer[0][0]", summary.Layers.Single(l => l.Name == "conv2d").ConnectedTo);
        Assert.Contains("Connected to", summary.ToString());
        var html = TransferNotebooks.Display.Formatters.ModelSummaryHtml.Render(summary);
        Assert.Contains("Connected to", html);
        Assert.Contains("conv2d[0][0], conv2d_1[0][0]", html);
        Assert.Equal(model.Layers.Sum(l => l.ParameterCount), summary.TotalParameters);
    }

    [Fact]
    public void Gradients_through_a_layer_used_twice_are_the_sum_of_both_paths()
    {
        manual_seed(1);
        var inputs = Input([2]);
        var shared = new Dense(2, Activations.Get(null), useBias: false);
        var outputs = shared.Call(shared.Call(inputs)); // y = x W W
        using var model = new Functional(inputs, outputs);
        Assert.Single(model.Layers);
        var x = tensor(new float[,] { { 1, 2 }, { -3, 0.5f } });
        var w = shared.Kernel;
        var y = model.Forward(model.PrepareInput(x), training: true, forLoss: false).Output;
        y.sum().backward();
        using var noGrad = no_grad();
        var g = ones(2, 2);
        // d/dW sum(x W W): outer call (input h = x W): h^T G; inner call (input x, upstream G W^T): x^T (G W^T).
        var expected = x.matmul(w).t().matmul(g) + x.t().matmul(g.matmul(w.t()));
        Assert.True(w.grad!.allclose(expected, 1e-5, 1e-6), $"grad {string.Join(", ", w.grad.data<float>().ToArray())} vs hand {string.Join(", ", expected.data<float>().ToArray())}");
        Assert.Single(model.TrainableParameterGroups());
    }

    [Fact]
    public void Predict_equals_the_same_layers_as_a_Sequential()
    {
        using var data = Fixtures.MnistTest().Take(50);
        using var model = Residual();
        var linear = Input([28, 28, 1]);
        manual_seed(2);
        var layers = new Layer[] { Conv2D(4, 3, activation: "relu"), MaxPooling2D(), Flatten(), Dropout(0.5), Dense(10, activation: "softmax") };
        var h = linear;
        foreach (var l in layers) h = l.Call(h);
        using var functional = new Functional(linear, h);
        var sequential = new Sequential(layers);
        using var a = functional.Predict(data.X);
        using var b = sequential.Predict(data.X);
        Assert.True(a.allclose(b, 0, 0), "same layers, same outputs");
    }

    [Fact]
    public void Concatenate_joins_images_on_the_channel_axis_in_Keras_layout()
    {
        var inputs = Input([2, 3, 2]);
        var a = Rescaling(1).Call(inputs);
        var b = Rescaling(10).Call(inputs);
        var joined = Concatenate().Call(a, b);
        Assert.Equal([2, 3, 4], joined.Shape);
        using var model = new Functional(inputs, Flatten().Call(joined));
        manual_seed(3);
        var x = rand(5, 2, 3, 2);
        using var y = model.Predict(x);
        var expected = cat([x, x * 10], -1).reshape(5, -1); // Keras: channels last, Flatten in (H, W, C) order
        Assert.True(y.allclose(expected, 1e-6, 1e-6));
        var rows = Concatenate(axis: 1).Call(a, b); // along the height
        Assert.Equal([4, 3, 2], rows.Shape);
    }

    [Fact]
    public void A_non_Input_tensor_as_input_is_refused()
    {
        var inputs = Input([4]);
        var hidden = Dense(3).Call(inputs);
        var outputs = Dense(2).Call(hidden);
        var e = Assert.Throws<ArgumentException>(() => new Functional(hidden, outputs));
        Assert.Contains("Keras.Input", e.Message);
        Assert.Contains("'dense' (Dense)", e.Message);
    }

    [Fact]
    public void A_disconnected_output_is_refused_naming_both_inputs()
    {
        var inputs = Input([4], name: "features");
        var other = Input([4], name: "other");
        var outputs = Dense(2).Call(other);
        var e = Assert.Throws<ArgumentException>(() => new Functional(inputs, outputs));
        Assert.Contains("not connected", e.Message);
        Assert.Contains("'features'", e.Message);
        Assert.Contains("'other'", e.Message);
    }

    [Fact]
    public void Mismatched_merge_shapes_name_both_layers()
    {
        var inputs = Input([28, 28, 1]);
        var x = Conv2D(8, 3).Call(inputs);
        var y = Conv2D(8, 3).Call(x); // valid padding: 24 x 24, not 26 x 26
        var e = Assert.Throws<ArgumentException>(() => Add().Call(x, y));
        Assert.Contains("'conv2d' (Conv2D)", e.Message);
        Assert.Contains("'conv2d_1' (Conv2D)", e.Message);
        Assert.Contains("(None, 26, 26, 8)", e.Message);
        Assert.Contains("(None, 24, 24, 8)", e.Message);
        var wrong = Assert.Throws<ArgumentException>(() => Dense(4).Call(Conv2D(2, 3, name: "features").Call(Input([8, 8, 1]))));
        Assert.Contains("'dense' (Dense)", wrong.Message);
        Assert.Contains("'features' (Conv2D)", wrong.Message);
    }

    static Sequential Pretrained()
    {
        manual_seed(7);
        var m = new Sequential([Conv2D(4, 3, activation: "relu", inputShape: [28, 28, 1]), BatchNormalization(), MaxPooling2D(), Flatten(), Dense(10, activation: "softmax")], "pretrained");
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    [Fact]
    public void A_nested_Sequential_called_with_training_false_keeps_BatchNormalization_statistics()
    {
        using var data = Fixtures.MnistTrain().Take(512);
        using var pretrained = Pretrained();
        pretrained.Fit(data, epochs: 1, verbose: 0, seed: 1);
        var features = new Sequential(pretrained.Layers.Take(4), "features");
        var inputs = Input([28, 28, 1]);
        var x = features.Call(inputs, training: false);
        var outputs = Dense(10, activation: "softmax").Call(Dropout(0.2).Call(x));
        using var model = new Functional(inputs, outputs, "transfer");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var bn = (BatchNormalization)features.Layers[1];
        var mean = bn.MovingMean.clone();
        var kernel = ((Conv2D)features.Layers[0]).Kernel.detach().clone();
        model.Fit(data, epochs: 1, verbose: 0, seed: 2);
        Assert.True(bn.MovingMean.allclose(mean, 0, 0), "training: false keeps the moving statistics");
        Assert.False(((Conv2D)features.Layers[0]).Kernel.allclose(kernel, 0, 0), "not frozen: the base's weights still train");

        // Freezing the nested model freezes all its layers; Summary shows it frozen.
        model.Layers["features"].Trainable = false;
        Assert.All(features.Layers, l => Assert.False(l.Trainable));
        var frozen = model.Summary();
        Assert.False(frozen.Layers.Single(l => l.Name == "features").Trainable);
        Assert.Equal(10 * (features.OutputShape![0] + 1), frozen.TrainableParameters);
        var before = model.SnapshotWeights();
        model.Fit(data, epochs: 1, verbose: 0, seed: 3);
        foreach (var (name, value) in model.NamedWeights().Where(kv => kv.Key.StartsWith("features/")))
            Assert.True(value.allclose(before[name], 0, 0), $"{name} moved while frozen");
        model.Unfreeze();
        Assert.All(features.Layers, l => Assert.True(l.Trainable));
    }

    [Fact]
    public void A_functional_model_nested_in_another_trains_and_shares_weights()
    {
        var inner = Input([6]);
        var block = new Functional(inner, Add().Call(inner, Dense(6, activation: "relu").Call(inner)), "block");
        var inputs = Input([6]);
        var outputs = Dense(3, activation: "softmax").Call(block.Call(block.Call(inputs)));
        using var model = new Functional(inputs, outputs);
        Assert.Equal(["block", "dense"], model.Layers.Select(l => l.Name));
        Assert.Equal(block.NamedWeights().Values.Sum(t => t.numel()) + 6 * 3 + 3, model.Summary().TotalParameters);
        manual_seed(1);
        var x = randn(64, 6);
        var y = x.narrow(1, 0, 3).argmax(1);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        var h = model.Fit(x, y, epochs: 20, verbose: 0, seed: 1);
        Assert.True(h.Values["loss"][^1] < h.Values["loss"][0]);
    }

    [Fact]
    public void Save_and_load_round_trip_predicts_the_same()
    {
        using var data = Fixtures.MnistTest().Take(40);
        using var model = Residual();
        model.Fit(data, epochs: 1, verbose: 0, seed: 1);
        model.Layers["conv2d"].Trainable = false;
        var dir = Directory.CreateTempSubdirectory("tn-functional-");
        try
        {
            var path = Path.Combine(dir.FullName, "residual.tnmodel");
            model.Save(path);
            using var loaded = Model.Load<Functional>(path);
            Assert.Equal(model.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
            Assert.False(loaded.Layers["conv2d"].Trainable);
            Assert.Equal(["accuracy"], loaded.MetricNames);
            using var a = model.Predict(data.X);
            using var b = loaded.Predict(data.X);
            Assert.True(a.allclose(b, 0, 0));
            using var common = Model.Load(path); // the one Load returns the common model type
            Assert.IsType<Functional>(common);
            using var c = common.Predict(data.X);
            Assert.True(a.allclose(c, 0, 0));
            var e = Assert.Throws<InvalidDataException>(() => Model.Load<Sequential>(path));
            Assert.Contains("holds a Functional model", e.Message);
            Assert.Contains("Model.Load<Functional>", e.Message);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Save_and_load_keeps_nested_models_and_shared_layers()
    {
        using var data = Fixtures.MnistTest().Take(20);
        using var pretrained = Pretrained();
        var features = new Sequential(pretrained.Layers.Take(4), "features");
        var inputs = Input([28, 28, 1]);
        var shared = Dense(16, activation: "relu");
        var x = features.Call(inputs, training: false);
        var h = Add().Call(shared.Call(Dense(16).Call(x)), shared.Call(Dense(16).Call(x)));
        using var model = new Functional(inputs, Dense(10, activation: "softmax").Call(h));
        var dir = Directory.CreateTempSubdirectory("tn-functional-");
        try
        {
            var path = Path.Combine(dir.FullName, "nested.tnmodel");
            model.Save(path);
            using var loaded = Model.Load<Functional>(path, compile: false);
            Assert.Equal(model.Summary().ToString(), loaded.Summary().ToString());
            Assert.IsType<Sequential>(((ModelLayer)loaded.Layers["features"]).Model);
            using var a = model.Predict(data.X);
            using var b = loaded.Predict(data.X);
            Assert.True(a.allclose(b, 0, 0));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Masks_and_token_inputs_flow_through_the_graph_as_in_Sequential()
    {
        manual_seed(21);
        var layers = new Layer[] { Embedding(20, 4, maskZero: true), LSTM(3), Dense(2, activation: "softmax") };
        var inputs = Input([8]);
        var h = inputs;
        foreach (var l in layers) h = l.Call(h);
        using var functional = new Functional(inputs, h);
        var sequential = new Sequential(layers);
        using var tokens = tensor(new long[] { 0, 0, 0, 0, 0, 5, 7, 9, 1, 2, 3, 4, 5, 6, 7, 8 }).reshape(2, 8);
        using var a = functional.Predict(tokens);
        using var b = sequential.Predict(tokens);
        Assert.True(a.allclose(b, 0, 0), "the Embedding's mask reaches the LSTM in both models");
    }

    [Fact]
    public void A_nested_model_follows_the_outer_mode_unless_called_with_training_false()
    {
        var inner = new Sequential([Dropout(0.5, inputShape: [100])], "noisy");
        var inputs = Input([100]);
        using var follows = new Functional(inputs, inner.Call(inputs));
        var pinned = Input([100]);
        using var fixedMode = new Functional(pinned, inner.Call(pinned, training: false));
        using var x = ones(4, 100);
        using var trainingOutput = follows.Call(x, training: true);
        Assert.False(trainingOutput.allclose(x), "dropout is on when the outer model trains");
        using var pinnedOutput = fixedMode.Call(x, training: true);
        Assert.True(pinnedOutput.allclose(x), "training: false keeps the nested model in inference mode");
    }

    [Fact]
    public void Save_and_load_keeps_a_nested_functional_model()
    {
        var inner = Input([6]);
        var block = new Functional(inner, Add().Call(inner, Dense(6, activation: "relu").Call(inner)), "block");
        var inputs = Input([6]);
        using var model = new Functional(inputs, Dense(3, activation: "softmax").Call(block.Call(block.Call(inputs))));
        var dir = Directory.CreateTempSubdirectory("tn-functional-");
        try
        {
            var path = Path.Combine(dir.FullName, "blocks.tnmodel");
            model.Save(path);
            using var loaded = Model.Load<Functional>(path);
            var nested = Assert.IsType<Functional>(((ModelLayer)loaded.Layers["block"]).Model);
            Assert.Equal(["dense", "add"], nested.Layers.Select(l => l.Name));
            manual_seed(4);
            using var x = randn(5, 6);
            using var a = model.Predict(x);
            using var b = loaded.Predict(x);
            Assert.True(a.allclose(b, 0, 0));
        }
        finally { dir.Delete(recursive: true); }
    }
}
