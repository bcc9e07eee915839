using System.Text.Json.Nodes;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class ZeroPadding2DTests
{
    [Fact]
    public void Asymmetric_padding_adds_zeros_on_each_side_as_given()
    {
        using var m = new Sequential(ZeroPadding2D((3, 2), (1, 0)));
        using var x = ones(1, 4, 5, 2);
        using var y = m.Predict(x);
        Assert.Equal([1L, 4 + 3 + 2, 5 + 1 + 0, 2], y.shape);            // channels last, as the output shape says
        Assert.Equal([9, 6, 2], m.Layers[0].OutputShape!);
        Assert.Equal(4 * 5 * 2, y.sum().item<float>());                   // the input's values, unchanged
        Assert.Equal(0f, y[0, 2].abs().sum().item<float>());              // 3 rows on top: row 2 is zeros
        Assert.Equal(2 * 5, y[0, 3].sum().item<float>());                 // row 3 is the first input row (5 columns after 1 zero)
        Assert.Equal(0f, y[0].select(1, 0).abs().sum().item<float>());          // 1 column on the left
        Assert.Equal(0f, y[0, 8].abs().sum().item<float>());              // 2 rows at the bottom
    }

    [Fact]
    public void Before_a_valid_convolution_it_equals_torch_padding_then_the_convolution()
    {
        manual_seed(2);
        using var m = new Sequential(ZeroPadding2D((3, 2), (3, 2), name: "pad"), Conv2D(4, 7, strides: 2, useBias: false, name: "conv"));
        m.Build([16, 16, 3]);
        using var x = randn(2, 16, 16, 3);
        using var y = m.Predict(x);
        var conv = (TransferNotebooks.Layers.Conv2D)m.Layers["conv"];
        using var nchw = x.permute(0, 3, 1, 2);
        using var padded = nn.functional.pad(nchw, [3, 2, 3, 2]);
        using var expected = nn.functional.conv2d(padded, conv.Kernel.detach(), strides: [2, 2]).permute(0, 2, 3, 1);
        Assert.Equal([8, 8, 4], m.OutputShape!);
        Assert.True(y.allclose(expected, 1e-5, 1e-5), "ZeroPadding2D((3, 2), (3, 2)) + valid conv = ONNX pads [3, 3, 2, 2]");
    }

    [Fact]
    public void The_padding_survives_our_format_and_the_keras_format()
    {
        using var m = new Sequential(ZeroPadding2D((1, 0), (2, 1), name: "pad"), Conv2D(2, 3));
        m.Build([6, 6, 1]);
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = randn(2, 6, 6, 1);
        RoundTrip.BothFormats(m, x, (back, _) =>
        {
            var pad = Assert.IsType<TransferNotebooks.Layers.ZeroPadding2D>(back.Layers[0]);
            Assert.Equal(((1, 0), (2, 1)), (pad.Rows, pad.Columns));
        });
        Assert.Equal("[[1,0],[2,1]]", m.Layers[0].GetConfig()["padding"]!.ToJsonString());
    }

    [Theory]
    [InlineData("2", 2, 2, 2, 2)]
    [InlineData("[1, 3]", 1, 1, 3, 3)]
    public void Keras_short_forms_of_padding_load(string padding, int top, int bottom, int left, int right)
    {
        using var m = new Sequential(ZeroPadding2D(1, name: "pad"), Flatten());
        m.Build([4, 4, 1]);
        using var dir = TestData.Temp();
        var path = RoundTrip.KerasFileWithEditedLayer(m, dir, "ZeroPadding2D", c => c["padding"] = JsonNode.Parse(padding));
        using var back = Model.Load(path);
        var pad = Assert.IsType<TransferNotebooks.Layers.ZeroPadding2D>(back.Layers[0]);
        Assert.Equal(((top, bottom), (left, right)), (pad.Rows, pad.Columns));
    }

    [Fact]
    public void Negative_padding_and_non_images_get_clear_errors()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ZeroPadding2D((1, -1), (0, 0)));
        Assert.Contains("non-negative", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => new Sequential(Dense(3, inputShape: [4]), ZeroPadding2D()).Build([4]));
        Assert.Contains("(height, width, channels)", shape.Message);
    }
}
