using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RescalingTests
{
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
        RoundTrip.BothFormats(m, x, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.Rescaling>(back.Layers[0]);
            Assert.Equal((0.5, 2.0), (layer.Scale, layer.Offset));
        });
    }

    [Fact]
    public void A_keras_file_with_a_per_channel_scale_gets_a_clear_error()
    {
        using var m = new Sequential(Rescaling(0.5, inputShape: [4]), Dense(2));
        using var dir = TestData.Temp();
        var path = RoundTrip.KerasFileWithEditedLayer(m, dir, "Rescaling", c => c["scale"] = new System.Text.Json.Nodes.JsonArray(0.5, 0.25, 0.5, 0.25));
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
