using TransferNotebooks.Interop.PyTorch;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using TransferNotebooks.Tests.Layers;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.PyTorch;

/// <summary>
/// The state_dict file in .NET alone (TorchSharp.PyBridge both ways, no Python): the round trip, and LoadPyTorchWeights's errors
/// for missing, unexpected and mis-shaped keys; SavePyTorch's refusals, which write nothing.
/// </summary>
public class PyTorchStateDictTests
{
    static Sequential Mlp(int hidden, int seed, bool extra = false)
    {
        manual_seed(seed);
        var layers = new List<Layer> { Flatten(inputShape: [28, 28]), Dense(hidden, activation: "relu") };
        if (extra) layers.Add(Dense(16, activation: "relu"));
        layers.Add(Dense(10, activation: "softmax"));
        return new Sequential(layers);
    }

    [Fact]
    public void SavePyTorch_then_LoadPyTorchWeights_restores_every_weight_into_a_fresh_model()
    {
        using var temp = TestData.Temp();
        using var test = Fixtures.MnistTest();
        using var x = test.X.narrow(0, 0, 32);
        using var trained = Mlp(32, 1);
        using var expected = trained.Predict(x);
        trained.SavePyTorch(temp.Path);
        Assert.Equal(["model.py", "state_dict.pt"], temp.Files());

        using var fresh = Mlp(32, 2);
        using var before = fresh.Predict(x);
        Assert.False(before.allclose(expected), "differently seeded models should differ before loading");
        var report = fresh.LoadPyTorchWeights(temp.Sub("state_dict.pt"));
        Assert.Equal(["dense/bias", "dense/kernel", "dense_1/bias", "dense_1/kernel"], report.Loaded.Order(StringComparer.Ordinal));
        using var after = fresh.Predict(x);
        Assert.True(after.allclose(expected, rtol: 0, atol: 0), "the loaded model predicts exactly what the saved one did");
    }

    [Fact]
    public void Mis_shaped_keys_are_named_with_both_shapes_and_leave_the_model_unchanged()
    {
        using var temp = TestData.Temp();
        using var wide = Mlp(64, 1);
        wide.SavePyTorch(temp.Path);
        using var narrow = Mlp(32, 2);
        var snapshot = narrow.SnapshotWeights();
        var e = Assert.Throws<InvalidDataException>(() => narrow.LoadPyTorchWeights(temp.Sub("state_dict.pt"), strict: false));
        Assert.Contains("mis-shaped keys (3)", e.Message); // dense.kernel, dense.bias, dense_1.kernel
        Assert.Contains("dense.kernel: file [784, 64] vs model [784, 32]", e.Message);
        Assert.Contains("dense_1.kernel: file [64, 10] vs model [32, 10]", e.Message);
        Assert.Contains("another architecture", e.Message);
        foreach (var (name, value) in narrow.NamedWeights())
            Assert.True(value.allclose(snapshot[name], rtol: 0, atol: 0), $"{name} changed although the load failed");
    }

    [Fact]
    public void Missing_and_unexpected_keys_fail_when_strict_and_are_reported_when_not()
    {
        using var temp = TestData.Temp();
        using var small = Mlp(32, 1);
        small.SavePyTorch(temp.Sub("small"));
        using var deeper = Mlp(32, 2, extra: true);
        deeper.SavePyTorch(temp.Sub("deeper"));

        using var target = Mlp(32, 3, extra: true);
        var missing = Assert.Throws<InvalidDataException>(() => target.LoadPyTorchWeights(temp.Sub("small", "state_dict.pt")));
        Assert.Contains("missing keys (2): dense_2.bias, dense_2.kernel", missing.Message);
        Assert.Contains("mis-shaped keys (2): dense_1.bias: file [10] vs model [16]; dense_1.kernel: file [32, 10] vs model [32, 16]", missing.Message);

        using var shallow = Mlp(32, 4);
        var unexpected = Assert.Throws<InvalidDataException>(() => shallow.LoadPyTorchWeights(temp.Sub("deeper", "state_dict.pt")));
        Assert.Contains("unexpected keys (2): dense_2.bias, dense_2.kernel", unexpected.Message);
        Assert.Contains("another architecture", unexpected.Message);

        using var same = Mlp(32, 5, extra: true);
        var report = same.LoadPyTorchWeights(temp.Sub("deeper", "state_dict.pt"), strict: true);
        Assert.Equal(6, report.Loaded.Count);
    }

    [Fact]
    public void Non_strict_load_takes_the_matching_keys_and_lists_the_rest()
    {
        using var temp = TestData.Temp();
        using var source = Mlp(32, 1);
        var weights = source.NamedWeights().Where(kv => kv.Key.StartsWith("dense/", StringComparison.Ordinal))
            .Append(new("extra/kernel", source.NamedWeights()["dense/bias"])).ToDictionary(kv => kv.Key, kv => kv.Value);
        PyTorchStateDict.Save(weights, temp.Sub("partial.pt"));
        using var target = Mlp(32, 2);
        var strict = Assert.Throws<InvalidDataException>(() => target.LoadPyTorchWeights(temp.Sub("partial.pt")));
        Assert.Contains("missing keys (2): dense_1.bias, dense_1.kernel; unexpected keys (1): extra.kernel", strict.Message);
        Assert.Contains("or pass strict: false to load the matching keys only", strict.Message);
        var report = target.LoadPyTorchWeights(temp.Sub("partial.pt"), strict: false);
        Assert.Equal(["dense/bias", "dense/kernel"], report.Loaded.Order(StringComparer.Ordinal));
        Assert.Equal(["dense_1/bias", "dense_1/kernel"], report.Missing.Order(StringComparer.Ordinal));
        Assert.Equal(["extra.kernel (not in the model)"], report.Skipped);
        Assert.True(target.NamedWeights()["dense/kernel"].allclose(source.NamedWeights()["dense/kernel"], rtol: 0, atol: 0));
    }

    [Fact]
    public void Keys_from_a_DistributedDataParallel_wrapper_get_the_fix_in_the_error()
    {
        using var temp = TestData.Temp();
        using var source = Mlp(32, 1);
        PyTorchStateDict.Save(source.NamedWeights().ToDictionary(kv => "module/" + kv.Key, kv => kv.Value), temp.Sub("ddp.pt"));
        using var target = Mlp(32, 2);
        var e = Assert.Throws<InvalidDataException>(() => target.LoadPyTorchWeights(temp.Sub("ddp.pt")));
        Assert.Contains("unexpected keys (4): module.dense.bias, module.dense.kernel, module.dense_1.bias, module.dense_1.kernel", e.Message);
        Assert.Contains("save model.module.state_dict() instead", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_state_dict_or_is_missing_says_how_to_make_one()
    {
        using var temp = TestData.Temp();
        File.WriteAllText(temp.Sub("notes.pt"), "not a pickle");
        using var model = Mlp(32, 1);
        var bad = Assert.Throws<InvalidDataException>(() => model.LoadPyTorchWeights(temp.Sub("notes.pt")));
        Assert.Contains("is not a PyTorch state_dict file", bad.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", bad.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => model.LoadPyTorchWeights(temp.Sub("absent.pt")));
        Assert.Contains("torch.save", missing.Message);
    }

    [Fact]
    public void A_layer_or_activation_without_a_PyTorch_form_is_refused_by_name_and_nothing_is_written()
    {
        using var temp = TestData.Temp();
        using var custom = new Sequential(new ScaleBy(2, inputShape: [4]), Dense(3));
        var layer = Assert.Throws<NotSupportedException>(() => custom.SavePyTorch(temp.Sub("custom")));
        Assert.Contains("'scale_by' (ScaleBy) has no PyTorch form", layer.Message);
        Assert.False(Directory.Exists(temp.Sub("custom")));

        using var activation = new Sequential(Dense(3, x => x.mul(2), inputShape: [4]));
        var act = Assert.Throws<NotSupportedException>(() => activation.SavePyTorch(temp.Sub("activation")));
        Assert.Contains("activation 'custom', which has no PyTorch form", act.Message);
        Assert.False(Directory.Exists(temp.Sub("activation")));

        using var unbuilt = new Sequential(Dense(3));
        Assert.Contains("not built", Assert.Throws<InvalidOperationException>(() => unbuilt.SavePyTorch(temp.Sub("unbuilt"))).Message);
    }

    [Fact]
    public void Odd_layer_names_become_add_module_entries_with_the_same_state_dict_keys()
    {
        using var temp = TestData.Temp();
        manual_seed(3);
        using var model = new Sequential(Dense(4, name: "first-layer", inputShape: [3]), Dense(2, name: "training"));
        model.SavePyTorch(temp.Path);
        var script = File.ReadAllText(temp.Sub("model.py"));
        Assert.Contains("self.add_module(\"first-layer\", Dense(3, 4, use_bias=True))", script);
        Assert.Contains("getattr(self, \"training\")", script);
        var report = model.LoadPyTorchWeights(temp.Sub("state_dict.pt"));
        Assert.Equal(4, report.Loaded.Count);
    }
}
