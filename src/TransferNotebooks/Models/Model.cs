using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Models.KerasImport;

namespace TransferNotebooks.Models;

/// <summary>The format <see cref="KerasModel.Save"/> writes.</summary>
public enum ModelFormat
{
    /// <summary>By the file's extension: <c>.keras</c> writes <see cref="Keras"/>, <c>.onnx</c> <see cref="Onnx"/>, anything else (<c>.tnmodel</c> by convention) <see cref="TransferNotebooks"/>.</summary>
    Auto,
    /// <summary>This library's own file (<c>.tnmodel</c>): a zip of metadata.json, config.json and model.safetensors (optionally optimizer.safetensors).</summary>
    TransferNotebooks,
    /// <summary>Keras 3's <c>.keras</c> zip (config.json, metadata.json, model.weights.h5), loadable by <c>keras.saving.load_model</c>; no optimizer state.</summary>
    Keras,
    /// <summary>
    /// ONNX (opset 17, <c>.onnx</c>) for serving with ONNX Runtime or any ONNX engine: the inference graph with the weights, taking the
    /// model's own input (Keras layout: channels last; int64 token ids for an Embedding) with a dynamic batch dimension and returning what
    /// <c>Predict</c> returns. Export only: no training state; layers with no ONNX form are refused with an error naming them.
    /// </summary>
    Onnx,
}

/// <summary>Loading models from files (Keras's <c>load_model</c>): the one way to open a saved model.</summary>
public static class Model
{
    /// <summary>The conventional extension of this library's own model files.</summary>
    public const string Extension = ".tnmodel";

    const string Formats = "a TransferNotebooks model (.tnmodel: a zip with metadata.json and model.safetensors, written by model.Save), "
        + "a Keras 3 .keras zip (config.json, model.weights.h5) or a Keras HDF5 model (.h5)";

    /// <summary>
    /// Loads a model with no code for its architecture, recognising the file by its content whatever its extension: this library's
    /// own files (<c>.tnmodel</c>, written by <see cref="KerasModel.Save"/>: Sequential and functional models), Keras legacy HDF5
    /// files (<c>.h5</c>, Keras 2 or 3) and Keras 3 <c>.keras</c> zips. Returns the common model type (Keras's <c>Model</c>), with
    /// the whole workflow: <c>var model = Model.Load("pretrained.tnmodel");</c>. <see cref="Load{TModel}"/> returns the model's own
    /// type when you need members only it has (<c>Model.Load&lt;Sequential&gt;(path).Add(...)</c>).
    /// </summary>
    /// <remarks>
    /// Keras files: Sequential models of built-in layers load (Dense, Conv2D, Conv1D, pooling, Flatten, Dropout, Rescaling,
    /// Activation, Reshape, BatchNormalization, Embedding, LSTM, GRU, ...) with their weights, trainable flags and, when
    /// expressible, compile settings; optimizer state is not imported. Layers are built only through the layer registry, never
    /// from code in the file. See docs/keras-import.md.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="compile">Recreate the compile settings (optimizer, loss, metrics) recorded in the file.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is none of the formats above (the message names them), is truncated, or is from a newer version.</exception>
    /// <exception cref="NotSupportedException">A Keras model this library cannot express (custom objects, unsupported layers).</exception>
    public static KerasModel Load(string path, bool compile = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        return Detect(path, out var why) switch
        {
            ModelFileKind.TransferNotebooks => ModelFile.Load(path, compile),
            ModelFileKind.KerasHdf5 or ModelFileKind.KerasZip => KerasModelFile.Load(path, compile),
            _ => throw new InvalidDataException(why),
        };
    }

    /// <summary>
    /// <see cref="Load"/>, typed: <c>Model.Load&lt;Sequential&gt;(path)</c> or <c>Model.Load&lt;Functional&gt;(path)</c> (F#:
    /// <c>Model.Load&lt;Sequential&gt; path</c>), for the members only that kind of model has.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds the other kind of model (the message names it), or as <see cref="Load"/>.</exception>
    public static TModel Load<TModel>(string path, bool compile = true) where TModel : KerasModel
    {
        var model = Load(path, compile);
        if (model is TModel typed) return typed;
        var kind = model.GetType().Name;
        model.Dispose();
        throw new InvalidDataException($"'{path}' holds a {kind} model, not a {typeof(TModel).Name}: load it with Model.Load<{kind}>(path), or Model.Load(path) for the common model type.");
    }

    /// <summary>The format a path's extension names (<see cref="ModelFormat.Auto"/>): <c>.keras</c> Keras, <c>.onnx</c> ONNX, anything else this library's.</summary>
    internal static ModelFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".keras" => ModelFormat.Keras,
        ".onnx" => ModelFormat.Onnx,
        _ => ModelFormat.TransferNotebooks,
    };

    /// <summary>Tells which kind of model file <paramref name="path"/> holds, by its content (HDF5 signature, zip entries).</summary>
    internal static ModelFileKind Detect(string path) => Detect(path, out _);

    /// <summary>The kind of model file, by content; when none, <paramref name="why"/> says what the file is instead and names the formats.</summary>
    internal static ModelFileKind Detect(string path, out string why)
    {
        why = $"'{path}' is not a TransferNotebooks model and not a Keras model file: it is none of {Formats}.";
        if (!File.Exists(path)) { why = $"No model file at '{path}'."; return ModelFileKind.Unknown; }
        using var s = File.OpenRead(path);
        if (s.Length < 8)
        {
            why += $" It has only {s.Length} bytes: if it was saved as one of these, it is truncated.";
            return ModelFileKind.Unknown;
        }
        if (KerasHdf5.HasSignature(s)) return ModelFileKind.KerasHdf5;
        s.Position = 0;
        var head = new byte[4];
        if (s.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || head[0] != 'P' || head[1] != 'K')
        {
            why += " A weights-only file (.safetensors) loads into a built model with model.LoadWeights(path).";
            return ModelFileKind.Unknown;
        }
        s.Position = 0;
        try
        {
            using var zip = new ZipArchive(s, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.GetEntry("model.safetensors") is not null) return ModelFileKind.TransferNotebooks;
            if (zip.GetEntry("model.weights.h5") is not null || zip.GetEntry("model.weights.npz") is not null) return ModelFileKind.KerasZip;
            if (zip.GetEntry("metadata.json") is { } meta)
            {
                using var ms = meta.Open();
                var node = JsonNode.Parse(ms);
                if (node?["format"]?.GetValue<string>() == ModelFile.Format) return ModelFileKind.TransferNotebooks;
                if (node?["keras_version"] is not null) return ModelFileKind.KerasZip;
            }
            if (zip.GetEntry("config.json") is not null && zip.GetEntry("metadata.json") is null) return ModelFileKind.KerasZip;
            why = $"'{path}' is a zip archive but not a model: it has neither metadata.json with a model format nor model weights "
                + $"(entries: {string.Join(", ", zip.Entries.Take(8).Select(e => e.FullName))}). Expected {Formats}.";
            return ModelFileKind.Unknown;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or IOException)
        {
            // An unreadable zip: the entry names in its local headers still tell whose it was, so its own loader reports the damage.
            var kind = KindFromEntryNames(path);
            why = $"'{path}' is a zip archive that cannot be read: it is truncated or damaged ({e.Message}). Expected {Formats}.";
            return kind;
        }
    }

    static ModelFileKind KindFromEntryNames(string path)
    {
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        if (text.Contains("model.safetensors", StringComparison.Ordinal)) return ModelFileKind.TransferNotebooks;
        if (text.Contains("model.weights.h5", StringComparison.Ordinal) || text.Contains("model.weights.npz", StringComparison.Ordinal)) return ModelFileKind.KerasZip;
        return ModelFileKind.Unknown;
    }
}
