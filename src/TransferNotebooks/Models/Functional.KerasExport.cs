namespace TransferNotebooks.Models;

// Writing a functional model in a chosen format (Keras 3's .keras or this library's file); Save(path) picks it by extension.
public sealed partial class Functional
{
    /// <summary>
    /// Saves the model in <paramref name="format"/> whatever the extension, atomically: <see cref="ModelFormat.Keras"/> writes a Keras 3
    /// <c>.keras</c> zip (config.json with the graph as Keras's <c>functional_from_config</c> reads it, model.weights.h5; no optimizer
    /// state) that <c>keras.saving.load_model</c> and <see cref="Model.LoadFunctional"/> read; <see cref="ModelFormat.TransferNotebooks"/>
    /// this library's file; <see cref="ModelFormat.Auto"/> decides by extension as <c>Save(path)</c> does (<c>.keras</c>: Keras).
    /// <c>model.Save("residual.bin", ModelFormat.Keras);</c>
    /// </summary>
    /// <exception cref="NotSupportedException">Keras format: a layer has no Keras equivalent (a custom layer).</exception>
    public void Save(string path, ModelFormat format) => ModelFile.Save(this, path, format);

    /// <summary>Same as <c>Save(path, ModelFormat.Keras)</c>: writes a Keras 3 <c>.keras</c> file.</summary>
    /// <exception cref="NotSupportedException">A layer has no Keras equivalent (a custom layer).</exception>
    public void SaveKeras(string path) => Save(path, ModelFormat.Keras);
}
