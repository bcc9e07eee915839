namespace TransferNotebooks.Models;

/// <summary>Loading models from files (Keras's <c>load_model</c>).</summary>
public static class Model
{
    /// <summary>Loads a model with no code for its architecture: our own files (see <see cref="ModelFile"/>).</summary>
    /// <exception cref="InvalidDataException">The file is not a model, is truncated, or is from a newer version.</exception>
    public static Sequential Load(string path) => ModelFile.Load(path);
}
