namespace TransferNotebooks.Models;

/// <summary>Which kind of model file a path holds (see <see cref="Model.Detect(string)"/>).</summary>
internal enum ModelFileKind
{
    /// <summary>Not recognised (missing, empty, or neither HDF5 nor zip).</summary>
    Unknown,
    /// <summary>This library's own zip (<see cref="ModelFile"/>).</summary>
    TransferNotebooks,
    /// <summary>Keras's legacy HDF5 model file (<c>model.save("m.h5")</c>, Keras 2 or 3).</summary>
    KerasHdf5,
    /// <summary>Keras 3's zip format (<c>model.save("m.keras")</c>).</summary>
    KerasZip,
}

/// <summary>What <see cref="KerasModelFile.Import"/> produced: the model and how the file was read.</summary>
/// <param name="Model">The loaded model (compiled when the file had a compile configuration this library can express).</param>
/// <param name="Kind">The file's format.</param>
/// <param name="KerasVersion">The Keras version that wrote the file, when recorded.</param>
/// <param name="Notes">What was ignored or approximated (optimizer state, regularizers, unknown metrics, ...).</param>
internal sealed record KerasImportResult(Sequential Model, ModelFileKind Kind, string? KerasVersion, IReadOnlyList<string> Notes)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Kind} model (Keras {KerasVersion ?? "unknown version"}), {Model.Layers.Count} layers" + (Notes.Count > 0 ? "; notes: " + string.Join("; ", Notes) : "");
}
