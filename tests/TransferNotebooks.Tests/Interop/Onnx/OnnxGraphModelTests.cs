using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.Onnx;

/// <summary>ONNX export of functional models with several inputs and outputs: one graph input and output each, named as in the model.</summary>
public class OnnxGraphModelTests
{
    [Fact]
    public void Several_inputs_and_outputs_export_with_their_names_and_equal_PredictOutputs()
    {
        using var test = Fixtures.MnistTest();
        manual_seed(13);
        var top = Input([14, 28, 1], name: "top");
        var bottom = Input([14, 28, 1], name: "bottom");
        var tokens = Input([3], name: "tokens");
        var a = Flatten().Call(MaxPooling2D().Call(Conv2D(4, 3, activation: "relu").Call(top)));
        var b = Flatten().Call(MaxPooling2D().Call(Conv2D(4, 3, activation: "relu").Call(bottom)));
        var t = GlobalAveragePooling1D().Call(Embedding(50, 4).Call(tokens));
        var joined = Concatenate().Call(a, b, t);
        var digit = Dense(10, activation: "softmax", name: "digit").Call(joined);
        var parity = Dense(2, activation: "softmax", name: "parity").Call(joined);
        var map = Conv2D(2, 3, padding: "same", name: "map").Call(top); // an image output: Keras layout, as PredictOutputs gives it
        using var model = new Functional([top, bottom, tokens], [digit, parity, map]);

        using var x = test.X.narrow(0, 0, 12);
        var halves = new[] { x.narrow(1, 0, 14).unsqueeze(-1).contiguous(), x.narrow(1, 14, 14).unsqueeze(-1).contiguous() };
        using var ids = randint(0, 50, [12, 3], dtype: ScalarType.Int64);
        var expected = model.PredictOutputs([halves[0], halves[1], ids]);
        Assert.Equal([12L, 14L, 28L, 2L], expected[2].shape);

        using var dir = TransferNotebooks.Tests.Data.TestData.Temp();
        var path = dir.Sub("graph.onnx");
        model.Save(path);
        OnnxRuntimeCheck.Check(path);
        var got = OnnxRuntimeCheck.RunNamed(path, new Dictionary<string, Tensor> { ["top"] = halves[0], ["bottom"] = halves[1], ["tokens"] = ids });
        string[] names = ["digit", "parity", "map"];
        for (int i = 0; i < names.Length; i++)
        {
            var (values, shape) = got[names[i]];
            Assert.Equal(expected[i].shape, shape);
            var want = expected[i].contiguous().data<float>().ToArray();
            var worst = values.Zip(want, (g, w) => Math.Abs(g - w)).Max();
            Assert.True(worst <= 1e-5, $"output '{names[i]}': ONNX Runtime differs from PredictOutputs by {worst:G3}");
        }
        foreach (var e in expected) e.Dispose();
        foreach (var h in halves) h.Dispose();
    }
}
