using TransferNotebooks.Models.KerasImport;

namespace TransferNotebooks.Models;

public sealed partial class Functional
{
    /// <summary>
    /// Same as <c>Save(path, format: ModelFormat.Keras)</c>: saves the model as a Keras 3 <c>.keras</c> file (config.json with the graph
    /// as Keras's <c>functional_from_config</c> reads it, metadata.json, model.weights.h5), loadable by <c>keras.saving.load_model</c> and
    /// by <see cref="Model.Load"/>. Optimizer state is not written.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no Keras equivalent (a custom layer).</exception>
    public void SaveKeras(string path) => Save(path, format: ModelFormat.Keras);
}
