using TransferNotebooks.Models.KerasImport;

namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    /// <summary>
    /// Same as <c>Save(path, format: ModelFormat.Keras)</c>: saves the model as a Keras 3 <c>.keras</c> file (config.json, metadata.json, model.weights.h5), loadable by
    /// <c>keras.saving.load_model</c> and by <see cref="Model.Load"/>. Architecture, weights (Conv2D kernels converted back to Keras's
    /// (kh, kw, in, out)), trainable flags and compile settings are written; optimizer state is not.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no Keras equivalent (a custom layer).</exception>
    public void SaveKeras(string path) => Save(path, format: ModelFormat.Keras);
}
