using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>Keras's <c>valid</c> / <c>same</c> padding arithmetic for 1-D and 2-D windows (convolution and pooling).</summary>
public static class Padding
{
    /// <summary>Checks a padding name.</summary>
    public static string Validate(string padding, string layer) => padding.ToLowerInvariant() switch
    {
        "valid" => "valid",
        "same" => "same",
        _ => throw new ArgumentException($"Layer '{layer}': unknown padding '{padding}'. Use \"valid\" (no padding) or \"same\" (output size = ceil(input / stride))."),
    };

    /// <summary>Output length along one axis.</summary>
    public static int OutputLength(int input, int window, int stride, string padding) =>
        padding == "same" ? (input + stride - 1) / stride : (input - window) / stride + 1;

    /// <summary>Keras's "same" padding for one axis: (before, after), the extra pixel going after.</summary>
    public static (int Before, int After) SamePads(int input, int window, int stride)
    {
        int output = (input + stride - 1) / stride;
        int total = Math.Max((output - 1) * stride + window - input, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Pads the last axis of an [N, C, T] sequence tensor for "same" (no-op for "valid").</summary>
    public static Tensor Apply1D(Tensor x, int window, int stride, string padding, double value = 0)
    {
        if (padding != "same") return x.alias();
        var (before, after) = SamePads((int)x.shape[2], window, stride);
        return before == 0 && after == 0 ? x.alias() : nn.functional.pad(x, [before, after], PaddingModes.Constant, value);
    }

    /// <summary>Pads an [N, C, H, W] tensor for "same" (no-op for "valid").</summary>
    public static Tensor Apply(Tensor x, (int H, int W) window, (int H, int W) strides, string padding, double value = 0)
    {
        if (padding != "same") return x.alias();
        var (top, bottom) = SamePads((int)x.shape[2], window.H, strides.H);
        var (left, right) = SamePads((int)x.shape[3], window.W, strides.W);
        if (top == 0 && bottom == 0 && left == 0 && right == 0) return x.alias();
        return nn.functional.pad(x, [left, right, top, bottom], PaddingModes.Constant, value);
    }
}
