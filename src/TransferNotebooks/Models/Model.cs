namespace TransferNotebooks.Models;

/// <summary>Loading models from files (Keras's <c>load_model</c>).</summary>
public static class Model
{
    /// <summary>
    /// Loads a model with no code for its architecture, recognising the file by content (then by extension): this library's own
    /// files (see <see cref="ModelFile"/>), Keras legacy HDF5 files (.h5, Keras 2 or 3) and Keras 3 .keras zips (see <see cref="KerasModelFile"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a model, is truncated, or is from a newer version.</exception>
    /// <exception cref="NotSupportedException">A Keras model this library cannot express (functional, custom objects, unsupported layers).</exception>
    public static Sequential Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        var kind = KerasModelFile.Detect(path);
        if (kind is ModelFileKind.KerasHdf5 or ModelFileKind.KerasZip) return KerasModelFile.Load(path);
        if (kind == ModelFileKind.Unknown && Path.GetExtension(path).ToLowerInvariant() is ".h5" or ".hdf5" or ".keras")
            return KerasModelFile.Load(path); // gives the Keras-specific "truncated or not a Keras file" error
        return ModelFile.Load(path);
    }
}
