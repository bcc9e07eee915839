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

    /// <summary>
    /// The same [N, C, H, W] tensor with its values stored channels last (torch's <c>channels_last</c> memory format): a
    /// free view when they already are, and always for one channel; one copy otherwise. Convolutions on such tensors take
    /// libtorch's channels-last (oneDNN) kernels, which measured 1.5x faster than the default layout on the MNIST CNN
    /// (forward and backward), and keep their outputs channels last, so the following layers and Flatten need no copies.
    /// </summary>
    public static Tensor ToChannelsLastMemory(Tensor x)
    {
        // One channel: the bytes are the same either way, but torch reads the layout from the strides, so give it NHWC strides.
        if (x.size(1) == 1) return x.reshape(x.size(0), x.size(2), x.size(3), 1).permute(0, 3, 1, 2);
        using var nhwc = x.permute(0, 2, 3, 1);
        using var dense = nhwc.contiguous();
        return dense.permute(0, 3, 1, 2);
    }
}
