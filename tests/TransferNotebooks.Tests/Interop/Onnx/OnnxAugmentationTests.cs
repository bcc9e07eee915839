using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.Onnx;

/// <summary>Augmentation layers in exported models: identity at inference (as Dropout), RandomCrop refused by name.</summary>
public class OnnxAugmentationTests
{
    [Fact]
    public void Random_augmentation_layers_export_as_the_identity_they_are_at_inference()
    {
        using var test = Fixtures.MnistTest();
        manual_seed(17);
        using var model = new Sequential(RandomFlip("horizontal", seed: 1, inputShape: [28, 28, 1]), RandomRotation(0.1, seed: 2),
            RandomZoom(0.1, seed: 3), RandomTranslation(0.1, 0.1, seed: 4), RandomContrast(0.2, seed: 5),
            Conv2D(4, 3, activation: "relu"), Flatten(), Dense(10, activation: "softmax"));
        using var x = test.X.narrow(0, 0, 16).unsqueeze(-1).contiguous();
        using var predicted = model.Predict(x);
        using var dir = TransferNotebooks.Tests.Data.TestData.Temp();
        model.Save(dir.Sub("augmented.onnx"));
        Assert.True(OnnxRuntimeCheck.MaxDifference(dir.Sub("augmented.onnx"), x, predicted) <= 1e-5);

        using var cropped = new Sequential(RandomCrop(20, 20, inputShape: [28, 28, 1]), Flatten(), Dense(2));
        var e = Assert.Throws<NotSupportedException>(() => cropped.Save(dir.Sub("cropped.onnx")));
        Assert.Contains("RandomCrop", e.Message);
    }
}
