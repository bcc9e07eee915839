using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TransferNotebooks.Tests.Interop.Onnx;

/// <summary>Runs exported .onnx files with ONNX Runtime and Debian's ONNX checker, for comparison with <c>Predict</c>.</summary>
static class OnnxRuntimeCheck
{
    /// <summary>ONNX Runtime's output for <paramref name="x"/> (float32, or int64 when <paramref name="x"/> holds integers) and its shape.</summary>
    public static (float[] Values, long[] Shape) Run(string onnxPath, Tensor x)
    {
        using var session = new InferenceSession(onnxPath);
        var dims = x.shape.Select(d => (int)d).ToArray();
        using var contiguous = x.contiguous();
        NamedOnnxValue input;
        if (x.is_floating_point())
        {
            using var f = contiguous.to_type(ScalarType.Float32);
            input = NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(f.data<float>().ToArray(), dims));
        }
        else
        {
            using var l = contiguous.to_type(ScalarType.Int64);
            input = NamedOnnxValue.CreateFromTensor("input", new DenseTensor<long>(l.data<long>().ToArray(), dims));
        }
        using var results = session.Run([input]);
        var output = results.Single(r => r.Name == "output").AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    /// <summary>
    /// The largest difference between ONNX Runtime's output and <paramref name="predicted"/>, absolute for values up to 1 and relative
    /// above (float32 keeps about 7 digits: exp or linear outputs reach the hundreds); fails when the shapes differ.
    /// </summary>
    public static double MaxDifference(string onnxPath, Tensor x, Tensor predicted)
    {
        var (values, shape) = Run(onnxPath, x);
        Assert.Equal(predicted.shape, shape);
        using var p = predicted.contiguous().to_type(ScalarType.Float32);
        var expected = p.data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        double max = 0;
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(float.IsFinite(values[i]), $"ONNX Runtime output {i} is {values[i]}.");
            max = Math.Max(max, Math.Abs(values[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i])));
        }
        return max;
    }

    /// <summary>Runs onnx.checker.check_model(full_check=True) with /usr/bin/python3; fails with the fix when python3 or onnx is missing.</summary>
    public static void Check(string onnxPath)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "Debian's python3 is missing, so the ONNX checker cannot run: run ./scripts/setup (it installs python3-onnx).");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')", onnxPath })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.False(stderr.Contains("No module named 'onnx'"), "python3 has no onnx module, so the ONNX checker cannot run: run ./scripts/setup (it installs python3-onnx).");
        Assert.True(process.ExitCode == 0 && stdout.Result.Trim() == "ok", $"onnx.checker rejected {onnxPath}: {stderr}");
    }
}
