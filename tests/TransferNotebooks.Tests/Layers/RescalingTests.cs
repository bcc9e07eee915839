using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RescalingTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-rescaling-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Raw_uint8_digits_through_Rescaling_predict_like_scaled_floats_without_it()
    {
        using var raw = Mnist.LoadData(dataDir: Fixtures.Dir("mnist"), download: false);
        using var bytes = raw.Test.X.narrow(0, 0, 64);
        using var scaled = bytes.to_type(ScalarType.Float32).div(255);
        manual_seed(3);
        using var withLayer = new Sequential(Rescaling(1.0 / 255, inputShape: [28, 28]), Flatten(), Dense(10, activation: "softmax"));
        manual_seed(3);
        using var without = new Sequential(Flatten(inputShape: [28, 28]), Dense(10, activation: "softmax"));
        using var a = withLayer.Predict(bytes);
        using var b = without.Predict(scaled);
        Assert.True(a.allclose(b, 1e-5, 1e-6), "Rescaling(1/255) on uint8 must equal dividing the data by 255");
        Assert.Equal(0, withLayer.Layers[0].ParameterCount);
        Assert.Equal(new[] { 28, 28 }, withLayer.Layers[0].OutputShape);
    }

    [Fact]
    public void Offset_maps_0_255_to_minus_one_plus_one()
    {
        using var m = new Sequential(Rescaling(1.0 / 127.5, offset: -1, inputShape: [3]));
        using var x = tensor(new byte[] { 0, 128, 255 }).reshape(1, 3);
        var y = m.Predict(x).data<float>().ToArray();
        Assert.Equal(-1f, y[0], 6);
        Assert.Equal(128 / 127.5f - 1, y[1], 6);
        Assert.Equal(1f, y[2], 6);
    }

    [Fact]
    public void Scale_and_offset_survive_our_format_and_the_keras_format()
    {
        using var m = new Sequential(Rescaling(0.5, offset: 2, inputShape: [4]), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = arange(8, dtype: ScalarType.Float32).reshape(2, 4);
        using var expected = m.Predict(x);
        foreach (var file in new[] { "m.tnm", "m.keras" })
        {
            var path = Path.Combine(dir, file);
            if (file.EndsWith(".keras")) m.SaveKeras(path); else m.Save(path);
            using var back = Model.Load(path);
            var layer = Assert.IsType<TransferNotebooks.Layers.Rescaling>(back.Layers[0]);
            Assert.Equal((0.5, 2.0), (layer.Scale, layer.Offset));
            using var y = back.Predict(x);
            Assert.True(y.allclose(expected), file);
        }
    }

    [Fact]
    public void A_keras_file_with_a_per_channel_scale_gets_a_clear_error()
    {
        using var m = new Sequential(Rescaling(0.5, inputShape: [4]), Dense(2));
        var path = Path.Combine(dir, "per-channel.keras");
        m.SaveKeras(path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("config.json")!;
            System.Text.Json.Nodes.JsonNode config;
            using (var r = entry.Open()) config = System.Text.Json.Nodes.JsonNode.Parse(r)!;
            var layers = config["config"]!["layers"]!.AsArray();
            var rescaling = layers.First(l => (string?)l!["class_name"] == "Rescaling")!;
            rescaling["config"]!["scale"] = new System.Text.Json.Nodes.JsonArray(0.5, 0.25, 0.5, 0.25);
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry("config.json").Open());
            w.Write(config.ToJsonString());
        }
        var e = Assert.Throws<NotSupportedException>(() => Model.Load(path));
        Assert.Contains("per-channel", e.Message);
        Assert.Contains("Rescaling", e.Message);
    }

    [Fact]
    public void Non_finite_scale_is_refused_with_the_usual_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Rescaling(double.NaN));
        Assert.Contains("1.0 / 255", e.Message);
    }
}
