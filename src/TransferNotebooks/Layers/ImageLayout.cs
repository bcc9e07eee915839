using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// The one place that converts between Keras's channels-last image layout ([N, H, W, C], used in every public shape)
/// and torch's channels-first layout ([N, C, H, W], used inside the model).
/// </summary>
public static class ImageLayout
{
    /// <summary>True when a per-sample shape is an image feature map (H, W, C).</summary>
    public static bool IsImage(int[] shape) => shape.Length == 3;

    /// <summary>[N, H, W, C] to [N, C, H, W].</summary>
    public static Tensor ToChannelsFirst(Tensor x) => x.permute(0, 3, 1, 2);

    /// <summary>[N, C, H, W] to [N, H, W, C].</summary>
    public static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1);
}
