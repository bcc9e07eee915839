using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

public class SequentialTests
{
    [Fact]
    public void Param_counts_match_keras_for_the_seed_models()
    {
        using var mlp = new Sequential(Flatten(inputShape: [28, 28]), Dense(64, activation: "relu"), Dense(64, activation: "relu"), Dense(10, activation: "softmax"));
        Assert.Equal(55_050, mlp.Summary().TotalParameters);
        using var wide = new Sequential(Flatten(inputShape: [28, 28]), Dense(512, activation: "relu"), Dense(10, activation: "softmax"));
        Assert.Equal(407_050, wide.Summary().TotalParameters);
        using var imdb = new Sequential(Dense(16, activation: "relu", inputShape: [10000]), Dense(16, activation: "relu"), Dense(2, activation: "softmax"));
        Assert.Equal(160_322, imdb.Summary().TotalParameters);
    }

    [Fact]
    public void Layers_get_keras_style_auto_names_and_are_indexable_by_name()
    {
        using var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(8), Dense(4), Dense(2));
        Assert.Equal(["flatten", "dense", "dense_1", "dense_2"], m.Layers.Select(l => l.Name));
        Assert.Same(m.Layers[2], m.Layers["dense_1"]);
        Assert.Same(m.Layers[-1], m.Layers["dense_2"]);
        var e = Assert.Throws<KeyNotFoundException>(() => m.Layers["dense_9"]);
        Assert.Contains("dense_1", e.Message);
    }

    [Fact]
    public void Summary_shows_output_shapes_and_frozen_layers()
    {
        using var m = new Sequential(Conv2D(8, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(), Flatten(), Dense(10, activation: "softmax"));
        m.Freeze(upTo: -1);
        var s = m.Summary();
        Assert.Equal("(None, 26, 26, 8)", s.Layers[0].OutputShape);
        Assert.Equal("(None, 13, 13, 8)", s.Layers[1].OutputShape);
        Assert.Equal("(None, 1352)", s.Layers[2].OutputShape);
        Assert.False(s.Layers[0].Trainable);
        Assert.Equal(13_530, s.TrainableParameters);
        Assert.Equal(80, s.NonTrainableParameters);
        Assert.Contains("frozen", s.ToString());
        m.Unfreeze();
        Assert.Equal(13_610, m.Summary().TrainableParameters);
    }

    [Fact]
    public void Images_given_to_dense_without_flatten_get_a_clear_error()
    {
        using var m = new Sequential(Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        using var x = zeros(4, 28, 28);
        using var y = zeros(4, dtype: ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y, verbose: 0));
        Assert.Contains("Flatten", e.Message);
    }

    [Fact]
    public void Wrong_input_shape_names_the_layer_and_both_shapes()
    {
        using var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        using var x = zeros(4, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => m.Predict(x));
        Assert.Contains("flatten", e.Message);
        Assert.Contains("(None, 28, 28)", e.Message);
        Assert.Contains("(None, 32, 32)", e.Message);
    }

    [Fact]
    public void Label_out_of_range_names_the_output_layer_and_changes_nothing()
    {
        using var m = new Sequential(Flatten(inputShape: [4]), Dense(3, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        var before = m.SnapshotWeights();
        using var x = rand(8, 4);
        using var y = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 0 });
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y, verbose: 0));
        Assert.Contains("Label 3", e.Message);
        Assert.Contains("dense", e.Message);
        foreach (var (k, v) in m.NamedWeights()) Assert.True(v.allclose(before[k], 0, 0), k);
    }

    [Fact]
    public void One_hot_labels_with_a_sparse_loss_and_the_reverse_are_explained()
    {
        using var m = new Sequential(Dense(3, activation: "softmax", inputShape: [4]));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        using var x = rand(6, 4);
        using var onehot = ToCategorical(new[] { 0, 1, 2, 0, 1, 2 }, 3);
        Assert.Contains("categorical_crossentropy", Assert.Throws<ArgumentException>(() => m.Fit(x, onehot, verbose: 0)).Message);
        m.Compile(optimizer: "adam", loss: "categorical_crossentropy");
        using var sparse = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        Assert.Contains("ToCategorical", Assert.Throws<ArgumentException>(() => m.Fit(x, sparse, verbose: 0)).Message);
    }

    [Fact]
    public void Fit_before_compile_nan_input_empty_data_and_bad_batch_size_are_clear_errors()
    {
        using var m = new Sequential(Dense(2, activation: "softmax", inputShape: [3]));
        using var x = rand(4, 3);
        using var y = tensor(new long[] { 0, 1, 0, 1 });
        Assert.Contains("Compile", Assert.Throws<InvalidOperationException>(() => m.Fit(x, y, verbose: 0)).Message);
        m.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
        using var nan = x.clone();
        nan[0, 0] = tensor(float.NaN);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => m.Fit(nan, y, verbose: 0)).Message);
        using var empty = zeros(0, 3);
        using var emptyY = zeros(0, dtype: ScalarType.Int64);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => m.Fit(empty, emptyY, verbose: 0)).Message);
        Assert.Contains("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, batchSize: 0, verbose: 0)).Message);
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones_and_suggest_the_nearest()
    {
        using var m = new Sequential(Dense(2, inputShape: [3]));
        var e = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adma", loss: "mse"));
        Assert.Contains("Did you mean 'adam'", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropi"));
        Assert.Contains("'sparse_categorical_crossentropy'", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adam", loss: "mse", metrics: ["acuracy"]));
        Assert.Contains("'accuracy'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dense(3, activation: "rellu"));
        Assert.Contains("'relu'", e.Message);
    }
}

public class EmbeddingInputTests
{
    [Fact]
    public void Token_ids_outside_the_vocabulary_are_a_clear_error_before_training()
    {
        using var m = new Sequential(Embedding(100, 8, inputLength: 5), GlobalAveragePooling1D(), Dense(1, activation: "sigmoid"));
        m.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
        var before = m.SnapshotWeights();
        using var x = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 250 }).reshape(2, 5);
        using var y = tensor(new float[] { 0, 1 });
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y, verbose: 0));
        Assert.Contains("token id 250 outside [0, 100)", e.Message);
        Assert.Contains("numWords", e.Message);
        foreach (var (k, v) in m.NamedWeights()) Assert.True(v.allclose(before[k], 0, 0), k);
        Assert.Contains("250", Assert.Throws<ArgumentException>(() => m.Call(x)).Message);
    }

    [Fact]
    public void A_model_built_by_its_first_Predict_keeps_its_weights_after_the_call()
    {
        // Predict builds a model without an input shape inside its batch scope; the new weights must outlive that scope.
        using var m = new Sequential(Conv2D(4, 3), Flatten(), Dense(2));
        using var x = rand(2, 28, 28, 1);
        using var first = m.Predict(x);
        var kernel = ((TransferNotebooks.Layers.Conv2D)m.Layers[0]).Kernel;
        Assert.Equal([4L, 1L, 3L, 3L], kernel.shape);
        using var second = m.Predict(x);
        Assert.True(first.allclose(second, 0, 0));
    }

    [Fact]
    public void Trainable_parameter_groups_are_the_trainable_layers_weights_in_order_with_each_layers_multiplier()
    {
        using var m = new Sequential(Dense(8, inputShape: [4]), Dense(4), Dense(2));
        m.Layers[1].LearningRateMultiplier = 0.1;
        var all = m.TrainableParameterGroups();
        Assert.Equal(6, all.Count); // kernel and bias of each Dense
        Assert.Equal(new[] { 1.0, 1.0, 0.1, 0.1, 1.0, 1.0 }, all.Select(g => g.LearningRateScale));
        Assert.Equal(new long[] { 8, 4, 2 }, all.Where((_, i) => i % 2 == 1).Select(g => g.Parameter.shape[0])); // biases, layer order

        m.Freeze(upTo: -1);
        var head = m.TrainableParameterGroups();
        Assert.Equal(2, head.Count);
        Assert.All(head, g => Assert.Equal(1.0, g.LearningRateScale));
        Assert.Equal(2, head[1].Parameter.shape[0]);
    }
}
