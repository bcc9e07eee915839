using System.Text;
using TransferNotebooks.Data;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Interop.PyTorch;

/// <summary>Writes a model's PyTorch directory: <c>model.py</c> (its <c>nn.Module</c>) and <c>state_dict.pt</c> (its weights).</summary>
internal static class PyTorchExport
{
    /// <summary>The Python module's file name in the directory.</summary>
    public const string ScriptFile = "model.py";

    /// <summary>The weights' file name in the directory.</summary>
    public const string WeightsFile = "state_dict.pt";

    /// <summary>
    /// Generates model.py first (an unsupported layer fails before anything is written), then writes each file through a
    /// temporary file and a rename, so each is complete or absent.
    /// </summary>
    /// <param name="model">A Sequential or Functional model.</param>
    /// <param name="weights">Its named weights.</param>
    /// <param name="loss">The compiled loss's Keras name (model.py's <c>loss</c>, which the torchrun script trains with), or null.</param>
    /// <param name="directory">The folder to write into (created when missing).</param>
    public static void Save(ITrainableModel model, IReadOnlyDictionary<string, Tensor> weights, string? loss, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var script = PyTorchModelScript.Generate(model, loss);
        Directory.CreateDirectory(directory);
        PyTorchStateDict.Save(weights, Path.Combine(directory, WeightsFile));
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(script);
        AtomicFile.Write(Path.Combine(directory, ScriptFile), stream => stream.Write(bytes));
    }
}
