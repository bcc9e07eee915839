using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.OnnxImport;
using static TransferNotebooks.Keras;

namespace TransferNotebooks;

/// <summary>
/// Pretrained networks, as Keras's <c>keras.applications</c>: each returns a <see cref="Functional"/> model of the library's own
/// layers (Conv2D, BatchNormalization, ...) with pretrained weights, ready to extract features or to fine-tune.
/// </summary>
public static partial class Applications
{
    /// <summary>BatchNormalization's epsilon in the ImageNet ResNet18 (the ONNX file stores float32 1e-5).</summary>
    const double ResNet18Epsilon = 1e-5;

    /// <summary>
    /// Residual blocks per stage (conv2..conv5) of the package's network: CNTK's "ResNet18" has a third block in its last stage
    /// (22 convolutions, where the paper's ResNet18 has [2, 2, 2, 2] and 20); the graph is read from the ONNX file and checked against this.
    /// </summary>
    static readonly int[] ResNet18StageBlocks = [2, 2, 2, 3];

    /// <summary>
    /// The blocks of <see cref="ResNet18"/>, in order: the stem <c>conv1</c> (with <c>pool1</c>), then the residual blocks of stages
    /// <c>conv2</c>..<c>conv5</c> (2, 2, 2 and 3 blocks, as in the package's ONNX file). Every layer's name starts with its block's name and
    /// an underscore (<c>conv5_block3_2_conv</c>), so <see cref="BlockLayers"/> of <c>"conv5_block3"</c> (the last block) or <c>"conv5"</c>
    /// (the last stage) are the names to unfreeze.
    /// </summary>
    public static IReadOnlyList<string> ResNet18Blocks { get; } =
        ["conv1", .. Enumerable.Range(0, ResNet18StageBlocks.Length).SelectMany(stage => Enumerable.Range(1, ResNet18StageBlocks[stage]).Select(b => $"conv{stage + 2}_block{b}"))];

    /// <summary>
    /// ResNet18 (He et al. 2015) with the ImageNet weights that the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>
    /// 0.24.0 ships as ONNX (a dependency of this package, found in the NuGet cache with no manual step). Input: images
    /// (height, width, 3) preprocessed by <see cref="ResNet18PreprocessInput"/> (BGR minus the ImageNet mean image, from RGB 0-255),
    /// as with Keras's applications the model does not include the preprocessing (<see cref="ResNet18Preprocessing"/> is the layer
    /// for models that should carry it). Layer names follow Keras's ResNet (<c>conv1_conv</c>, <c>conv2_block1_1_conv</c>, ...,
    /// <c>conv5_block3_out</c>; see <see cref="ResNet18Blocks"/>).
    /// <code>var baseModel = Applications.ResNet18(weights: "imagenet", pooling: "avg");   // (None, 512) features</code>
    /// <c>let baseModel = Applications.ResNet18(pooling = "avg")</c> in F#.
    /// </summary>
    /// <param name="includeTop">Must be false: the ONNX network ends at the pooled features and has no ImageNet classifier. Add your own head.</param>
    /// <param name="weights"><c>"imagenet"</c> (the package's weights), null (random initialization), or the path of an ONNX file with the same graph.</param>
    /// <param name="pooling">null: the 4-D feature map (height/32, width/32, 512); <c>"avg"</c> or <c>"max"</c>: global pooling to 512 features.</param>
    /// <param name="inputShape">(height, width, 3), 224 x 224 by default (the size the weights and the mean image were made for); at least 32 x 32.</param>
    /// <param name="name">The model's name.</param>
    /// <exception cref="NotSupportedException"><paramref name="includeTop"/> is true.</exception>
    /// <exception cref="ArgumentException">An unknown pooling or weights value, or an input shape the network cannot take.</exception>
    /// <exception cref="FileNotFoundException">The package's ONNX file is not in the places searched (the message lists them).</exception>
    public static Functional ResNet18(bool includeTop = false, string? weights = "imagenet", string? pooling = null, IEnumerable<int>? inputShape = null,
        string name = "resnet18")
    {
        if (includeTop)
            throw new NotSupportedException("ResNet18(includeTop: true) is not available: the ImageNet ResNet18 of " + DnnImageModels.PackageId
                + " ends at the 512 pooled features and has no 1000-class classifier. Use includeTop: false, pooling: \"avg\" and add your own head, "
                + "for example Dense(numClasses, activation: \"softmax\").Call(features).");
        string? weightsFile = weights switch
        {
            null => null,
            "imagenet" => DnnImageModels.Find(DnnImageModels.ResNet18),
            _ when weights.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && File.Exists(weights) => weights,
            _ => throw new ArgumentException($"Unknown weights '{weights}': use \"imagenet\", null (random initialization) or the path of an existing .onnx file of the same network.", nameof(weights)),
        };
        if (pooling is not null and not "avg" and not "max")
            throw new ArgumentException($"Unknown pooling '{pooling}': use \"avg\", \"max\" or null (the 4-D feature map).", nameof(pooling));
        int[] shape = inputShape?.ToArray() ?? [224, 224, 3];
        if (shape.Length != 3 || shape[2] != 3 || shape[0] < 32 || shape[1] < 32)
            throw new ArgumentException($"ResNet18 takes colour images (height, width, 3) of at least 32 x 32 pixels, but inputShape is [{string.Join(", ", shape)}]. "
                + "Give inputShape: [224, 224, 3] (the size of the ImageNet weights) or another size of 3 channels.", nameof(inputShape));

        var model = BuildResNet18(shape, pooling, name);
        if (weightsFile is not null) ResNet18OnnxWeights.Load(model, weightsFile);
        return model;
    }

    /// <summary>
    /// The names of <paramref name="model"/>'s layers in <paramref name="block"/> (a name of <see cref="ResNet18Blocks"/>, or a stage
    /// such as <c>"conv5"</c>), for freezing or unfreezing by block. Fine-tune the last block:
    /// <code>baseModel.Unfreeze(Applications.BlockLayers(baseModel, "conv5_block3"));</code>
    /// </summary>
    /// <exception cref="ArgumentException">No layer of the model belongs to the block; the message lists the blocks.</exception>
    public static IReadOnlyList<string> BlockLayers(Functional model, string block)
    {
        ArgumentNullException.ThrowIfNull(model);
        var names = model.Layers.Select(l => l.Name!).Where(n => n.StartsWith(block + "_", StringComparison.Ordinal)).ToList();
        if (block == "conv1") names.AddRange(model.Layers.Select(l => l.Name!).Where(n => n.StartsWith("pool1_", StringComparison.Ordinal)));
        return names.Count > 0 ? names : throw new ArgumentException(
            $"Model '{model.Name}' has no layer in block '{block}'. Blocks: {string.Join(", ", ResNet18Blocks)} (or a stage: conv2, conv3, conv4, conv5).", nameof(block));
    }

    /// <summary>The graph: Keras's ResNet layout with basic blocks (two 3x3 convolutions), and the ONNX file's asymmetric padding.</summary>
    static Functional BuildResNet18(int[] shape, string? pooling, string name)
    {
        var inputs = Input(shape, name: "input_layer");
        // Stem: 7x7 stride 2 with ONNX pads [3, 3, 2, 2] (top, left, bottom, right), then 3x3 stride-2 max pooling with pads [1, 1, 0, 0].
        var x = ZeroPadding2D((3, 2), (3, 2), name: "conv1_pad").Call(inputs);
        x = Conv2D(64, 7, strides: 2, useBias: false, name: "conv1_conv").Call(x);
        x = BatchNormalization(epsilon: ResNet18Epsilon, name: "conv1_bn").Call(x);
        x = Activation("relu", name: "conv1_relu").Call(x);
        x = ZeroPadding2D((1, 0), (1, 0), name: "pool1_pad").Call(x); // after ReLU zeros pad like ONNX's -inf
        x = MaxPooling2D(3, strides: 2, name: "pool1_pool").Call(x);

        for (int stage = 0; stage < ResNet18StageBlocks.Length; stage++)
            for (int block = 1; block <= ResNet18StageBlocks[stage]; block++)
                x = BasicBlock(x, 64 << stage, stride: stage > 0 && block == 1 ? 2 : 1, $"conv{stage + 2}_block{block}");

        x = pooling switch
        {
            "avg" => GlobalAveragePooling2D(name: "avg_pool").Call(x),
            "max" => GlobalMaxPooling2D(name: "max_pool").Call(x),
            _ => x,
        };
        return new Functional(inputs, x, name);
    }

    /// <summary>
    /// A basic residual block: 3x3 convolution (stride 2 with ONNX pads [1, 1, 0, 0] when the stage halves the size, else "same"),
    /// BN, ReLU, 3x3 convolution, BN, plus the shortcut (a 1x1 stride-2 convolution and BN when the size or width changes), ReLU.
    /// </summary>
    static KerasTensor BasicBlock(KerasTensor x, int filters, int stride, string name)
    {
        var shortcut = x;
        if (stride != 1)
        {
            shortcut = Conv2D(filters, 1, strides: stride, useBias: false, name: name + "_0_conv").Call(x);
            shortcut = BatchNormalization(epsilon: ResNet18Epsilon, name: name + "_0_bn").Call(shortcut);
        }
        var y = x;
        if (stride != 1) y = ZeroPadding2D((1, 0), (1, 0), name: name + "_1_pad").Call(y);
        y = Conv2D(filters, 3, strides: stride, padding: stride == 1 ? "same" : "valid", useBias: false, name: name + "_1_conv").Call(y);
        y = BatchNormalization(epsilon: ResNet18Epsilon, name: name + "_1_bn").Call(y);
        y = Activation("relu", name: name + "_1_relu").Call(y);
        y = Conv2D(filters, 3, padding: "same", useBias: false, name: name + "_2_conv").Call(y);
        y = BatchNormalization(epsilon: ResNet18Epsilon, name: name + "_2_bn").Call(y);
        var sum = Add(name: name + "_add").Call(y, shortcut);
        return Activation("relu", name: name + "_out").Call(sum);
    }
}
