using TransferNotebooks.Layers;
using TransferNotebooks.OnnxImport;
using static TorchSharp.torch;

namespace TransferNotebooks;

public static partial class Applications
{
    static Tensor? resNet18MeanImage;
    static readonly Lock meanImageLock = new();

    /// <summary>
    /// The ImageNet mean image (224, 224, 3), BGR, that ResNet18's preprocessing subtracts, read from the package's
    /// <c>ResNetPreprocess.onnx</c> (whose graph is checked: split RGB, concatenate as BGR, subtract the mean image). Read once.
    /// </summary>
    /// <exception cref="FileNotFoundException">The package's file is not in the places searched (the message lists them).</exception>
    public static Tensor ResNet18MeanImage()
    {
        lock (meanImageLock)
        {
            resNet18MeanImage ??= ReadMeanImage(DnnImageModels.Find(DnnImageModels.ResNetPreprocess));
            return resNet18MeanImage.alias();
        }
    }

    /// <summary>
    /// Preprocesses RGB images, float 0-255 channels last ([N, 224, 224, 3], as <c>ImageFolder.Load(dir, 224, 224)</c> gives them),
    /// for <see cref="ResNet18"/>'s ImageNet weights, as the package's <c>ResNetPreprocess.onnx</c> does: channels reversed to BGR,
    /// minus the ImageNet mean image (Keras's <c>preprocess_input</c>). Returns a new tensor of the same shape.
    /// <code>using var x = Applications.ResNet18PreprocessInput(images); var features = baseModel.Predict(x);</code>
    /// </summary>
    /// <exception cref="ArgumentException">The images are not [N, 224, 224, 3] (the size of the mean image).</exception>
    public static Tensor ResNet18PreprocessInput(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 224 || images.shape[2] != 224 || images.shape[3] != 3)
            throw new ArgumentException($"ResNet18PreprocessInput takes RGB images [N, 224, 224, 3] (channels last, 0-255) but got [{string.Join(", ", images.shape)}]. "
                + "Load or resize them to 224 x 224, for example ImageFolder.Load(dir, height: 224, width: 224).", nameof(images));
        using var mean = ResNet18MeanImage();
        using var floats = images.to_type(ScalarType.Float32);
        using var bgr = floats.flip(3);
        return bgr.sub(mean);
    }

    /// <summary>
    /// ResNet18's preprocessing as a layer (RGB 0-255 in, BGR minus the mean image out), for models that should carry it: it is
    /// saved and loaded with the model (the mean image is its weight). Put it first: <c>var x = Applications.ResNet18Preprocessing().Call(inputs);</c>
    /// </summary>
    public static Layer ResNet18Preprocessing(string name = "resnet18_preprocessing")
    {
        using var mean = ResNet18MeanImage();
        return new MeanImageSubtraction(mean, reverseChannels: true, name);
    }

    /// <summary>Reads and checks ResNetPreprocess.onnx: Split(RGB) -> Concat(B, G, R) -> Sub(mean image); returns the mean (224, 224, 3).</summary>
    static Tensor ReadMeanImage(string path)
    {
        var graph = OnnxGraph.Load(path);
        var split = graph.Consumer(graph.DataInput, "Split");
        var concat = graph.Consumer(split.Output[0], "Concat");
        if (!concat.Input.SequenceEqual(split.Output.Reverse()))
            throw graph.Unexpected($"Concat node '{concat.Name}' should reverse the channels ({string.Join(", ", split.Output.Reverse())}) but joins {string.Join(", ", concat.Input)}");
        var sub = graph.Consumer(concat.Output[0], "Sub");
        if (sub.Input[0] != concat.Output[0] || !graph.IsInitializer(sub.Input[1]))
            throw graph.Unexpected($"Sub node '{sub.Name}' should subtract a stored mean image from the BGR image");
        using var mean = graph.Initializer(sub.Input[1]);
        if (!mean.shape.SequenceEqual([1L, 3, 224, 224]))
            throw graph.Unexpected($"the mean image has shape [{string.Join(", ", mean.shape)}], not [1, 3, 224, 224]");
        using var chw = mean[0];
        return chw.permute(1, 2, 0).contiguous().DetachFromDisposeScope(); // cached for the process: no caller's dispose scope may free it
    }
}
