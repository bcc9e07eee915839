using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Models;

// The PyTorch exit and the way back (docs/interop.md): the model as a plain model.py with its weights as a state_dict, and a
// state_dict trained in PyTorch loaded back. The walk and the writer live in Interop/PyTorch; each layer owns its PyTorch form.
public abstract partial class KerasModel
{
    /// <summary>
    /// Saves the model for PyTorch in <paramref name="directory"/>: <c>model.py</c>, a plain <c>nn.Module</c> whose forward takes what
    /// <c>Predict</c> takes (Keras layout: images [N, H, W, C], token ids for Embedding) and returns what it returns, and
    /// <c>state_dict.pt</c>, the weights as <c>torch.load</c> reads them (keys <c>layer.weight</c>, the model's own names and shapes).
    /// In Python: <c>from model import load; model = load()</c>. Each file is written through a temporary file and a rename.
    /// A <see cref="Functional"/> model with several inputs or outputs gets <c>forward(self, *inputs, logits=False)</c>: one tensor per
    /// input in <see cref="Functional.Inputs"/> order (each in its own Keras shape and dtype), returning a tuple in
    /// <see cref="Functional.Outputs"/> order, each output as <see cref="Functional.PredictOutputs(TorchSharp.torch.Tensor, int)"/> gives it (a single
    /// tensor, as Predict gives it, for one output); <c>logits=True</c> returns each output without its softmax or sigmoid.
    /// </summary>
    /// <param name="directory">The folder to write (created when missing; the two files are replaced).</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no PyTorch form; the message names it. Nothing is written then.</exception>
    public void SavePyTorch(string directory) =>
        PyTorchExport.Save(this, NamedWeights(), IsCompiled ? Loss.Name : null, directory);

    /// <summary>
    /// Loads a PyTorch <c>state_dict</c> file (from <c>torch.save(model.state_dict(), path)</c> on the model.py that
    /// <see cref="SavePyTorch"/> wrote) into this model, which must have the same architecture.
    /// </summary>
    /// <param name="path">The state_dict file.</param>
    /// <param name="strict">Require exactly the model's keys (PyTorch's <c>strict</c>); false loads the matching keys and reports the rest.
    /// Shapes must match either way.</param>
    /// <exception cref="InvalidDataException">Missing, unexpected or mis-shaped keys (each listed, with both shapes), or not a state_dict
    /// file; the model is unchanged.</exception>
    public LoadWeightsReport LoadPyTorchWeights(string path, bool strict = true) => PyTorchStateDict.Load(NamedWeights(), path, strict);
}
