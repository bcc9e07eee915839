using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TransferNotebooks.Bench.Training;

/// <summary>
/// Inference latency of the exported ONNX graph under ONNX Runtime (median of many calls), 1 sample and 1,000 samples, beside
/// Predict on the same model, for the MLP and the CNN; ONNX Runtime gets the same thread count as torch.
/// </summary>
static class OnnxLatency
{
    public static void Run(Options o, Dictionary<string, object?> result, int threads)
    {
        var (xt, _) = BenchData.Mnist(train: false);
        var rows = new Dictionary<string, double>();
        var dir = Directory.CreateTempSubdirectory("tn-onnx-bench-").FullName;
        try
        {
            foreach (var c in new[] { BenchModels.Mlp, BenchModels.Cnn })
            {
                using var model = c.Keras();
                using var one = xt.narrow(0, 0, 1).contiguous();
                using var thousand = xt.narrow(0, 0, 1000).contiguous();
                model.Predict(one).Dispose(); // builds the model
                var path = Path.Combine(dir, c.Name + ".onnx");
                model.Save(path);
                rows[$"{c.Name}_predict_1_us"] = Stats.MedianSeconds(() => { using var p = model.Predict(one); }, 50, 500) * 1e6;
                rows[$"{c.Name}_predict_1000_b1000_ms"] = Stats.MedianSeconds(() => { using var p = model.Predict(thousand, batchSize: 1000); }, 5, 30) * 1e3;

                using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
                using var session = new InferenceSession(path, options);
                var shape = session.InputMetadata["input"].Dimensions.Skip(1).ToArray();
                NamedOnnxValue Input(Tensor x) => NamedOnnxValue.CreateFromTensor("input",
                    new DenseTensor<float>(x.data<float>().ToArray(), [(int)x.shape[0], .. shape]));
                var oneOnnx = Input(one);
                var thousandOnnx = Input(thousand);
                rows[$"{c.Name}_onnxruntime_1_us"] = Stats.MedianSeconds(() => { using var r = session.Run([oneOnnx]); }, 50, 500) * 1e6;
                rows[$"{c.Name}_onnxruntime_1000_ms"] = Stats.MedianSeconds(() => { using var r = session.Run([thousandOnnx]); }, 5, 30) * 1e3;
                using var check = model.Predict(thousand, batchSize: 1000);
                using var served = session.Run([thousandOnnx]);
                var got = served.First().AsTensor<float>().ToArray();
                var expected = check.data<float>().ToArray();
                rows[$"{c.Name}_max_abs_difference"] = got.Zip(expected, (a, b) => (double)Math.Abs(a - b)).Max();
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
        result["onnx_latency"] = rows;
        foreach (var kv in rows) Console.Error.WriteLine($"{kv.Key}: {kv.Value:G4}");
    }
}
