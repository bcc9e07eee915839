
namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    /// <summary>
    /// Saves architecture, weights, trainable flags and compile settings in one file, atomically (a temporary file then a rename),
    /// to load back with <see cref="Model.Load"/>. The format follows the extension unless <paramref name="format"/> says:
    /// <c>model.Save("pretrained.tnmodel")</c> writes this library's file, <c>model.Save("m.keras")</c> a Keras 3 file that
    /// <c>keras.saving.load_model</c> reads (Conv kernels converted to Keras's layout; no optimizer state), <c>model.Save("model.onnx")</c>
    /// an ONNX graph for ONNX Runtime (<see cref="ModelFormat.Onnx"/>; see docs/interop.md).
    /// </summary>
    /// <param name="path">The file (<c>.tnmodel</c> by convention; <c>.keras</c> for Keras).</param>
    /// <param name="includeOptimizer">Also save the optimizer's state, to resume training exactly (this library's format only).</param>
    /// <param name="format"><see cref="ModelFormat.Auto"/> (by extension), or the format to write whatever the extension.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">Keras or ONNX format: a layer has no equivalent there (a custom layer; for ONNX also an LSTM/GRU behind a padding mask), or <paramref name="includeOptimizer"/> was asked for.</exception>
    public override void Save(string path, bool includeOptimizer = false, ModelFormat format = ModelFormat.Auto)
    {
        if (format == ModelFormat.Auto) format = Model.FormatOf(path);
        if (format == ModelFormat.Onnx) Interop.Onnx.OnnxExport.Save(this, path, includeOptimizer);
        else if (format == ModelFormat.Keras)
        {
            if (includeOptimizer)
                throw new NotSupportedException($"Keras files written here carry no optimizer state; save '{path}' without includeOptimizer, or as a {Model.Extension} file to resume training exactly.");
            KerasImport.KerasZipWriter.Save(this, path);
        }
        else ModelFile.Save(this, path, includeOptimizer);
    }
}
