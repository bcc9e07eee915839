using Microsoft.ML.OnnxRuntime;
using Tensor = TorchSharp.torch.Tensor;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.OnnxImport;
using TransferNotebooks.Tests.Data;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Applications;

using Applications = TransferNotebooks.Applications;

/// <summary>
/// Applications.ResNet18 against ONNX Runtime running the package's own ONNX files on real photos (tests/fixtures/resnet18),
/// plus its options, errors and the fine-tuning pattern.
/// </summary>
public class ResNet18Tests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>The four fixture photos, RGB float 0-255, [4, 224, 224, 3], and their class labels.</summary>
    static ImageFolderData Photos(int size = 224) => ImageFolder.LoadData(Fixtures.Dir("resnet18"), size, size);

    /// <summary>Runs an ONNX file with ONNX Runtime on one channels-first image [1, 3, 224, 224]; returns its flat output.</summary>
    static float[] RunOnnx(InferenceSession session, Tensor chw)
    {
        var input = new DenseTensor(chw.contiguous().data<float>().ToArray(), [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        return results.Single().AsTensor<float>().ToArray();
    }

    /// <summary>max |a - b| / max |b|: the relative error of <paramref name="actual"/> against <paramref name="expected"/>.</summary>
    static double RelativeError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v)), diff = actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(scale > 0, "the reference output is all zeros");
        return diff / scale;
    }

    [Fact]
    public void PreprocessInput_equals_ResNetPreprocess_onnx_under_ONNX_Runtime()
    {
        using var photos = Photos();
        using var x = Applications.ResNet18PreprocessInput(photos.Data.X);
        using var session = new InferenceSession(DnnImageModels.Find(DnnImageModels.ResNetPreprocess));
        for (int i = 0; i < photos.Files.Count; i++)
        {
            using var rgb = photos.Data.X[i].permute(2, 0, 1).unsqueeze(0);
            var expected = RunOnnx(session, rgb);
            using var ours = x[i].permute(2, 0, 1);
            var actual = ours.contiguous().data<float>().ToArray();
            Assert.True(RelativeError(actual, expected) < 1e-6, $"{photos.Files[i]}: preprocessing differs from ResNetPreprocess.onnx");
        }
        using var first = photos.Data.X[0];
        Assert.True(first[0, 0, 0].item<float>() != x[0, 0, 0, 2].item<float>(), "the mean image was subtracted");
    }

    [Fact]
    public void Imagenet_features_equal_ONNX_Runtime_on_real_photos_within_1e_4()
    {
        using var photos = Photos();
        using var x = Applications.ResNet18PreprocessInput(photos.Data.X);
        using var model = Applications.ResNet18(weights: "imagenet", pooling: "avg");
        Assert.Equal([512], model.OutputShape);
        using var features = model.Predict(x);
        Assert.Equal([4L, 512], features.shape);
        using var session = new InferenceSession(DnnImageModels.Find(DnnImageModels.ResNet18));
        var all = new List<float[]>();
        for (int i = 0; i < photos.Files.Count; i++)
        {
            using var bgr = x[i].permute(2, 0, 1).unsqueeze(0);
            var expected = RunOnnx(session, bgr);
            using var row = features[i];
            var actual = row.data<float>().ToArray();
            double error = RelativeError(actual, expected);
            output.WriteLine($"{Path.GetFileName(photos.Files[i])}: max |ours - ONNX Runtime| / max |ONNX Runtime| = {error:E2}");
            Assert.True(error < 1e-4, $"{Path.GetFileName(photos.Files[i])}: ResNet18 features differ from ONNX Runtime's by {error:E2} relative (limit 1e-4)");
            all.Add(actual);
        }
        // Real features: non-negative (after ReLU), not constant, and different photos give different features.
        Assert.All(all, f => Assert.True(f.Min() >= 0 && f.Max() > 0.1, "pooled ReLU features are non-negative and not all zero"));
        Assert.True(RelativeError(all[0], all[2]) > 0.05, "an ant and a bee photo give different features");
    }

    [Fact]
    public void The_preprocessing_layer_equals_PreprocessInput_and_is_saved_with_the_model()
    {
        using var photos = Photos();
        using var expected = Applications.ResNet18PreprocessInput(photos.Data.X);
        var inputs = Input([224, 224, 3]);
        using var model = new Functional(inputs, Applications.ResNet18Preprocessing().Call(inputs));
        using var got = model.Predict(photos.Data.X);
        Assert.True(got.allclose(expected, 1e-6, 1e-4), "the layer computes what ResNet18PreprocessInput does");

        using var dir = TestData.Temp();
        model.Save(dir.Sub("pre.tnmodel"));
        using var back = Model.Load<Functional>(dir.Sub("pre.tnmodel"));
        var layer = Assert.IsType<MeanImageSubtraction>(back.Layers["resnet18_preprocessing"]);
        Assert.True(layer.ReverseChannels);
        using var again = back.Predict(photos.Data.X);
        Assert.True(again.allclose(expected, 1e-6, 1e-4), "the saved model carries the mean image");
    }

    [Fact]
    public void The_network_and_its_preprocessing_export_to_ONNX_and_run_in_ONNX_Runtime_as_Predict()
    {
        using var dir = TestData.Temp();
        manual_seed(3);
        using var model = Applications.ResNet18(weights: null, pooling: "max", inputShape: [64, 64, 3]);
        using var photos = Photos(64);
        using var predicted = model.Predict(photos.Data.X);
        model.Save(dir.Sub("resnet18.onnx"));
        double error = TransferNotebooks.Tests.Interop.Onnx.OnnxRuntimeCheck.MaxDifference(dir.Sub("resnet18.onnx"), photos.Data.X, predicted);
        Assert.True(error < 1e-4, $"ResNet18 (ZeroPadding2D, GlobalMaxPooling2D) exported to ONNX differs from Predict by {error:E2}");

        using var full = Photos();
        var inputs = Input([224, 224, 3]);
        using var pre = new Functional(inputs, Applications.ResNet18Preprocessing().Call(inputs));
        using var expected = pre.Predict(full.Data.X);
        pre.Save(dir.Sub("pre.onnx"));
        double preError = TransferNotebooks.Tests.Interop.Onnx.OnnxRuntimeCheck.MaxDifference(dir.Sub("pre.onnx"), full.Data.X, expected);
        Assert.True(preError < 1e-5, $"MeanImageSubtraction exported to ONNX differs from Predict by {preError:E2}");
    }

    [Fact]
    public void Pooling_null_gives_the_feature_map_and_max_pooling_its_maximum()
    {
        manual_seed(7);
        using var map = Applications.ResNet18(weights: null, inputShape: [64, 64, 3]);
        manual_seed(7);
        using var pooled = Applications.ResNet18(weights: null, pooling: "max", inputShape: [64, 64, 3]);
        Assert.Equal([2, 2, 512], map.OutputShape);
        Assert.Equal([512], pooled.OutputShape);
        using var photos = Photos(64);
        using var m = map.Predict(photos.Data.X);
        using var p = pooled.Predict(photos.Data.X);
        using var max = m.amax([1, 2]);
        Assert.True(p.allclose(max, 1e-5, 1e-6), "max pooling is the maximum of the feature map (same seed, same weights)");
    }

    [Fact]
    public void Layer_names_follow_Keras_ResNet_and_blocks_select_them()
    {
        using var model = Applications.ResNet18(weights: null, pooling: "avg", inputShape: [32, 32, 3]);
        Assert.Equal(["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool"], model.Layers.Take(6).Select(l => l.Name));
        Assert.Equal("avg_pool", model.Layers[-1].Name);
        Assert.Equal(
            ["conv5_block3_1_conv", "conv5_block3_1_bn", "conv5_block3_1_relu", "conv5_block3_2_conv", "conv5_block3_2_bn", "conv5_block3_add", "conv5_block3_out"],
            Applications.BlockLayers(model, "conv5_block3"));
        Assert.Equal("conv5_block3", Applications.ResNet18Blocks[^1]);
        Assert.Contains("conv5_block1_0_conv", Applications.BlockLayers(model, "conv5"));
        var e = Assert.Throws<ArgumentException>(() => Applications.BlockLayers(model, "conv6_block1"));
        Assert.Contains("conv5_block3", e.Message);
        // As many weights as the ONNX file's initializers (convolution kernels and BatchNormalization's four vectors), and as many convolutions.
        var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(DnnImageModels.Find(DnnImageModels.ResNet18)));
        Assert.Equal(onnx.Graph.Initializer.Sum(i => i.Dims.Aggregate(1L, (a, b) => a * b)), model.Layers.Sum(l => l.ParameterCount));
        Assert.Equal(onnx.Graph.Node.Count(n => n.OpType == "Conv"), model.Layers.Count(l => l is Conv2D));
    }

    [Fact]
    public void Unsupported_options_are_refused_with_the_fix()
    {
        var top = Assert.Throws<NotSupportedException>(() => Applications.ResNet18(includeTop: true));
        Assert.Contains("includeTop: false", top.Message);
        Assert.Contains("Dense(", top.Message);
        var pooling = Assert.Throws<ArgumentException>(() => Applications.ResNet18(weights: null, pooling: "mean"));
        Assert.Contains("\"avg\"", pooling.Message);
        var weights = Assert.Throws<ArgumentException>(() => Applications.ResNet18(weights: "cifar"));
        Assert.Contains("imagenet", weights.Message);
        var shape = Assert.Throws<ArgumentException>(() => Applications.ResNet18(weights: null, inputShape: [224, 224, 1]));
        Assert.Contains("[224, 224, 3]", shape.Message);
    }

    [Fact]
    public void A_missing_package_file_names_the_package_and_the_paths_tried()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DnnImageModels.Find("NoSuchModel/model.onnx"));
        Assert.Contains(DnnImageModels.PackageId, e.Message);
        Assert.Contains(DnnImageModels.PackageVersion, e.Message);
        foreach (var path in DnnImageModels.Candidates("NoSuchModel/model.onnx")) Assert.Contains(path, e.Message);
        Assert.Contains("dotnet add package", e.Message);
    }

    [Fact]
    public void A_frozen_base_keeps_its_weights_and_statistics_and_the_last_block_fine_tunes()
    {
        using var photos = Photos(32);
        manual_seed(11);
        using var baseModel = Applications.ResNet18(weights: null, pooling: "avg", inputShape: [32, 32, 3]);
        baseModel.Freeze();
        var inputs = Input([32, 32, 3]);
        var features = baseModel.Call(inputs, training: false);
        using var model = new Functional(inputs, Dense(2, activation: "softmax", name: "head").Call(features));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        Tensor Copy(string layer, string weight) => baseModel.Layers[layer].Weights.Single(w => w.Name == weight).Value.clone();
        bool Same(Tensor before, string layer, string weight) => before.eq(baseModel.Layers[layer].Weights.Single(w => w.Name == weight).Value).all().item<bool>();

        using var stem = Copy("conv1_conv", "kernel");
        using var stemMean = Copy("conv1_bn", "moving_mean");
        using var last = Copy("conv5_block3_2_conv", "kernel");
        using var lastMean = Copy("conv5_block3_2_bn", "moving_mean");
        using var head = model.Layers["head"].Weights[0].Value.clone();
        model.Fit(photos.Data, epochs: 2, batchSize: 2, verbose: 0, seed: 1);
        Assert.True(Same(stem, "conv1_conv", "kernel") && Same(stemMean, "conv1_bn", "moving_mean"), "the frozen base does not move");
        Assert.True(Same(last, "conv5_block3_2_conv", "kernel") && Same(lastMean, "conv5_block3_2_bn", "moving_mean"), "the frozen last block does not move");
        Assert.False(head.eq(model.Layers["head"].Weights[0].Value).all().item<bool>(), "the head trains");

        baseModel.Unfreeze(Applications.BlockLayers(baseModel, "conv5_block3"));
        Assert.True(baseModel.Layers["conv5_block3_2_conv"].Trainable && !baseModel.Layers["conv5_block2_2_conv"].Trainable);
        model.Fit(photos.Data, epochs: 2, batchSize: 2, verbose: 0, seed: 1);
        Assert.False(Same(last, "conv5_block3_2_conv", "kernel"), "the unfrozen last block trains");
        Assert.True(Same(lastMean, "conv5_block3_2_bn", "moving_mean"), "called with training: false, its BatchNormalization stays in inference mode");
        Assert.True(Same(stem, "conv1_conv", "kernel"), "the rest stays frozen");
    }
}
