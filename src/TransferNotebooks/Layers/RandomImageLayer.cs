using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// What Keras's random image augmentation layers share: they act only in training (<c>Call(x, training: true)</c>, or inside
/// <c>Fit</c>) and pass images through unchanged at inference; their random numbers come from a torch generator the layer owns,
/// seeded with <see cref="Seed"/> (the same seed gives the same augmentations run to run), or from torch's global generator
/// (<c>torch.manual_seed</c>) when no seed is given. Inputs are image batches, channels first inside the model.
/// </summary>
public abstract class RandomImageLayer : Layer
{
    Generator? generator;

    /// <summary>Creates the layer.</summary>
    protected RandomImageLayer(int? seed, string? name, IEnumerable<int>? inputShape) : base(name, inputShape)
    {
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), seed, "A seed must be zero or positive (or null for torch's global generator).");
        Seed = seed;
    }

    /// <summary>The seed of the layer's own random generator (Keras's <c>seed</c>); null: torch's global generator.</summary>
    public int? Seed { get; }

    /// <summary>Draws <paramref name="count"/> numbers uniform in [<paramref name="low"/>, <paramref name="high"/>), float64 on the CPU.</summary>
    protected Tensor Uniform(long count, double low, double high)
    {
        if (Seed is { } seed) generator ??= new Generator((ulong)seed, CPU);
        using var u = rand([count], ScalarType.Float64, generator: generator);
        return u.mul(high - low).add_(low, Scalars.One);
    }

    /// <inheritdoc />
    protected override int[] BuildCore(int[] inputShape)
    {
        ImageResize.RequireImage(inputShape, Name, TypeName);
        return inputShape;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Call(Tensor input, bool training) => training ? Augment(input) : Infer(input);

    /// <summary>The training-time transformation of a [N, C, H, W] batch.</summary>
    protected abstract Tensor Augment(Tensor images);

    /// <summary>The inference-time result: the input unchanged (RandomCrop resizes instead).</summary>
    protected virtual Tensor Infer(Tensor images) => images.alias();

    /// <summary>True when inference passes images through unchanged (every random layer but RandomCrop).</summary>
    private protected virtual bool IdentityAtInference => true;

    /// <summary>Exported models serve inference: the identity, as Dropout (RandomCrop has no ONNX form yet).</summary>
    public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => IdentityAtInference ? [inputs[0]] : base.ToOnnx(graph, inputs);

    /// <summary>The inference form in PyTorch: <c>nn.Identity()</c> (augment in PyTorch with torchvision's transforms).</summary>
    internal override Interop.PyTorch.PyTorchCode ToPyTorch(Interop.PyTorch.PyTorchContext context) =>
        IdentityAtInference ? new("nn.Identity()", $"{context.Self}({context.X})") : base.ToPyTorch(context);

    /// <summary>Splits a Keras factor (one number <c>f</c>: [-f, f]; or [lower, upper]) into its bounds, checking them.</summary>
    internal static (double Lower, double Upper) SymmetricRange(double[] factor, string? layer, string type, string setting)
    {
        var (lower, upper) = factor switch
        {
            [var f] => (-Math.Abs(f), Math.Abs(f)),
            [var lo, var hi] => (lo, hi),
            _ => throw new ArgumentException($"Layer '{layer}' ({type}): {setting} must be one number or two (lower, upper), got {factor.Length}."),
        };
        if (!double.IsFinite(lower) || !double.IsFinite(upper) || lower > upper)
            throw new ArgumentException($"Layer '{layer}' ({type}): {setting} needs lower <= upper, got ({lower}, {upper}); for example 0.1 or (-0.1, 0.2).");
        return (lower, upper);
    }
}
