using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;
using PureHDF.VOL.Native;
using TransferNotebooks.Layers;
using TransferNotebooks.Models.KerasImport;

namespace TransferNotebooks.Models
{
    /// <summary>
    /// Imports models saved by Keras: the legacy HDF5 file (<c>model.save("m.h5")</c>, Keras 2.x and 3.x) and Keras 3's zip
    /// (<c>model.save("m.keras")</c>). Sequential models of built-in layers load (Dense, Conv2D, Conv1D, MaxPooling2D/1D, AveragePooling2D, GlobalMaxPooling1D,
    /// Flatten, Dropout, Rescaling, Activation, Reshape, BatchNormalization, Embedding, GlobalAveragePooling1D/2D, LSTM, GRU) with their weights, trainable
    /// flags and, when expressible, their compile settings. Layers are built only through the <see cref="LayerRegistry"/>, never from
    /// code in the file. Functional models, subclassed models, custom objects and Lambda layers get a clear error.
    /// </summary>
    /// <remarks>
    /// Weights are converted to this library's layouts: Dense kernels stay (in, out) as in Keras, Conv2D kernels go from Keras's
    /// (kh, kw, in, out) to (out, in, kh, kw). Since <see cref="Flatten"/> flattens in Keras's (H, W, C) order, a Dense after Flatten
    /// needs no change, and predictions match Keras's for the same channels-last input. Optimizer state is not imported.
    /// The public entry point is <see cref="Model.Load"/>, which recognises the file by content and calls this importer.
    /// </remarks>
    internal static partial class KerasModelFile
    {
        /// <summary>Loads a Keras model file (.h5 or .keras): a <see cref="Sequential"/>, or a <see cref="Functional"/> for a functional model.</summary>
        /// <param name="path">The file.</param>
        /// <param name="compile">Recreate Compile (optimizer, loss, metrics) from the file's compile configuration when present.</param>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="InvalidDataException">Not a Keras model file, truncated or corrupt, or weights that do not fit the architecture.</exception>
        /// <exception cref="NotSupportedException">A custom model, or a layer or feature the importer does not support (named in the message).</exception>
        public static KerasModel Load(string path, bool compile = true)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"No Keras model file at '{path}'.", path);
            return IsFunctional(path) ? LoadFunctional(path, compile) : Import(path, compile).Model;
        }

        /// <summary>Loads a Keras model file and reports its format, Keras version and what was ignored (see <see cref="KerasImportResult.Notes"/>).</summary>
        /// <inheritdoc cref="Load" path="/param"/>
        /// <inheritdoc cref="Load" path="/exception"/>
        public static KerasImportResult Import(string path, bool compile = true)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"No Keras model file at '{path}'.", path);
            var kind = Detect(path);
            return kind switch
            {
                ModelFileKind.KerasHdf5 => LoadHdf5(path, compile),
                ModelFileKind.KerasZip => LoadZip(path, compile),
                ModelFileKind.TransferNotebooks => throw new InvalidDataException($"'{path}' is a TransferNotebooks model file, not a Keras one; load it with Model.Load."),
                _ => throw new InvalidDataException($"'{path}' is not a Keras model file, or it is truncated: it is neither HDF5 (.h5) nor a readable zip archive (.keras)."),
            };
        }

        /// <summary>Tells which kind of model file <paramref name="path"/> holds, by its content (see <see cref="Model.Detect(string)"/>).</summary>
        public static ModelFileKind Detect(string path) => Model.Detect(path);

        // ------------------------------------------------------------------ legacy HDF5

        static KerasImportResult LoadHdf5(string path, bool compile) => WithHdf5(path, file => ReadHdf5(file, path, compile));

        /// <summary>Opens a legacy HDF5 file (after checking it is not truncated) and runs <paramref name="read"/> on it, guarded.</summary>
        static T WithHdf5<T>(string path, Func<NativeFile, T> read)
        {
            using (var check = File.OpenRead(path)) KerasHdf5.CheckNotTruncated(check, path);
            NativeFile file;
            try { file = H5File.OpenRead(path); }
            catch (Exception e) when (IsReadFailure(e)) { throw Corrupt(path, "", e); }
            using (file) return Guarded(path, "", () => read(file));
        }

        /// <summary>The model_config of a legacy HDF5 file, with errors for weights-only and non-Keras files.</summary>
        static JsonNode ModelConfig(NativeFile file, string path)
        {
            var configText = KerasHdf5.StringAttribute(file, "model_config");
            if (configText is null)
            {
                if (file.AttributeExists("layer_names"))
                    throw new InvalidDataException($"'{path}' holds only weights (Keras save_weights), not a model: it has no model_config. "
                        + "Rebuild the architecture here and load the weights, or save the whole model in Keras with model.save(\"m.h5\").");
                throw new InvalidDataException($"'{path}' is an HDF5 file but not a Keras model: it has no 'model_config' attribute.");
            }
            return ParseJson(configText, path, "model_config");
        }

        static KerasImportResult ReadHdf5(NativeFile file, string path, bool compile)
        {
            var notes = new List<string>();
            var config = ModelConfig(file, path);
            var version = KerasHdf5.StringAttribute(file, "keras_version");
            var arch = KerasArchitectureReader.Read(config, path);
            if (!file.LinkExists("model_weights"))
                throw new InvalidDataException($"'{path}' has a model config but no 'model_weights' group: it was saved without weights or is incomplete.");
            var weightsGroup = file.Group("model_weights");
            var model = KerasArchitectureReader.Build(arch, path, notes);
            try
            {
                var savedNames = KerasHdf5.StringList(weightsGroup, "layer_names");
                for (int i = 0; i < arch.Layers.Count; i++)
                {
                    var spec = arch.Layers[i];
                    if (model.Layers[i].KerasWeightNames.Count == 0) continue;
                    if (!weightsGroup.LinkExists(spec.Name))
                        throw new InvalidDataException($"'{path}': no weights for layer '{spec.Name}' ({spec.ClassName}) under model_weights"
                            + (savedNames.Count > 0 ? $" (saved layers: {string.Join(", ", savedNames)})." : "."));
                    var group = weightsGroup.Group(spec.Name);
                    // The weight_names attribute gives each dataset's path inside the layer group: "dense/kernel:0" (Keras 2),
                    // "sequential/dense/kernel" (Keras 3); the last part names the variable.
                    var saved = KerasHdf5.StringList(group, "weight_names")
                        .Select(n => KerasHdf5.ReadWeight(group, n, KerasWeights.ShortName(n))).ToList();
                    KerasWeights.Assign(model.Layers[i], spec, saved, path);
                }
                if (compile && KerasHdf5.StringAttribute(file, "training_config") is { } tc && ParseJson(tc, path, "training_config") is JsonObject training)
                    KerasCompileConfig.Apply(model, training, legacy: true, notes);
                if (file.LinkExists("optimizer_weights")) notes.Add("optimizer state (optimizer_weights) not imported: training restarts with fresh optimizer slots");
                return new KerasImportResult(model, ModelFileKind.KerasHdf5, version, notes);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        // ------------------------------------------------------------------ Keras 3 zip

        static KerasImportResult LoadZip(string path, bool compile) =>
            WithZip(path, config => KerasArchitectureReader.Read(config, path), (h5, arch, config, version) => ReadZipWeights(h5, arch, config, version, path, compile));

        /// <summary>
        /// Opens a .keras zip: reads config.json and metadata.json, lets <paramref name="readConfig"/> check the architecture (its errors come
        /// before any about the weights), then opens model.weights.h5 and runs <paramref name="read"/> on it, guarded.
        /// </summary>
        static T WithZip<TArch, T>(string path, Func<JsonNode, TArch> readConfig, Func<NativeFile, TArch, JsonNode, string?, T> read)
        {
            ZipArchive zip;
            try { zip = ZipFile.OpenRead(path); }
            catch (InvalidDataException e) { throw Corrupt(path, "", e); }
            using (zip)
            {
                var config = ReadZipJson(zip, "config.json", path) ?? throw new InvalidDataException($"'{path}' lacks config.json: it is not a complete .keras file.");
                var meta = ReadZipJson(zip, "metadata.json", path);
                string? version = meta?["keras_version"]?.GetValueKind() == JsonValueKind.String ? meta["keras_version"]!.GetValue<string>() : null;
                var arch = readConfig(config);
                var entry = zip.GetEntry("model.weights.h5");
                if (entry is null)
                {
                    if (zip.GetEntry("model.weights.npz") is not null)
                        throw new NotSupportedException($"'{path}' stores its weights as model.weights.npz; only the default HDF5 weights (model.weights.h5) are supported.");
                    throw new InvalidDataException($"'{path}' lacks model.weights.h5: it is not a complete .keras file.");
                }
                var buffer = new MemoryStream();
                try { using var es = entry.Open(); es.CopyTo(buffer); }
                catch (InvalidDataException e) { throw Corrupt(path, "model.weights.h5", e); }
                KerasHdf5.CheckNotTruncated(buffer, $"{path}: model.weights.h5");
                buffer.Position = 0;
                NativeFile h5;
                try { h5 = H5File.Open(buffer, leaveOpen: false); }
                catch (Exception e) when (IsReadFailure(e)) { throw Corrupt(path, "model.weights.h5", e); }
                using (h5) return Guarded(path, "model.weights.h5", () => read(h5, arch, config, version));
            }
        }

        /// <summary>True when every group on the slash-separated path exists (checked one level at a time).</summary>
        static bool GroupPathExists(NativeFile h5, string path)
        {
            IH5Group group = h5;
            foreach (var part in path.Split('/'))
            {
                if (!group.LinkExists(part)) return false;
                group = group.Group(part);
            }
            return true;
        }

        static KerasImportResult ReadZipWeights(NativeFile h5, KerasArchitecture arch, JsonNode config, string? version, string path, bool compile)
        {
            var notes = new List<string>();
            // Keras 3 files the layers of a Sequential under layers/; .keras files from Keras 2.13-2.15 under _layer_checkpoint_dependencies/.
            string root = h5.LinkExists("layers") ? "layers" : h5.LinkExists("_layer_checkpoint_dependencies") ? "_layer_checkpoint_dependencies" : "layers";
            var groupNames = KerasWeights.ZipGroupNames(arch.Layers);
            var model = KerasArchitectureReader.Build(arch, path, notes);
            try
            {
                for (int i = 0; i < arch.Layers.Count; i++)
                {
                    var spec = arch.Layers[i];
                    AssignZipLayer(h5, $"{root}/{groupNames[i]}", model.Layers[i], spec, path);
                }
                if (compile && config["compile_config"] is JsonObject cc && cc.Count > 0)
                    KerasCompileConfig.Apply(model, cc, legacy: false, notes);
                if (h5.LinkExists("optimizer")) notes.Add("optimizer state not imported: training restarts with fresh optimizer slots");
                return new KerasImportResult(model, ModelFileKind.KerasZip, version, notes);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>Reads one layer's variables from <c>&lt;groupPath&gt;/vars</c> (recurrent layers: <c>cell/vars</c>) and assigns them.</summary>
        static void AssignZipLayer(NativeFile h5, string groupPath, Layer layer, KerasLayerSpec spec, string path)
        {
            var order = layer.KerasWeightNames;
            if (order.Count == 0) return;
            // Recurrent layers keep their variables in their cell: layers/lstm/cell/vars.
            string varsPath = layer.KerasWeightsInCell ? $"{groupPath}/cell/vars" : $"{groupPath}/vars";
            if (!GroupPathExists(h5, varsPath))
                throw new InvalidDataException($"'{path}': model.weights.h5 has no group '{varsPath}' for layer '{spec.Name}' ({spec.ClassName}); "
                    + "the weights file does not match config.json.");
            var vars = h5.Group(varsPath);
            if (!layer.KerasWeightsInCell && KerasHdf5.StringAttribute(vars, "name") is { } recorded && recorded != spec.Name)
                throw new InvalidDataException($"'{path}': weights group '{varsPath}' belongs to layer '{recorded}', not '{spec.Name}'; the weights file does not match config.json.");
            int count = 0;
            while (vars.LinkExists(count.ToString())) count++;
            var saved = new List<SavedWeight>();
            for (int k = 0; k < count; k++)
                saved.Add(KerasHdf5.ReadWeight(vars, k.ToString(), k < order.Count ? order[k] : $"variable {k}"));
            KerasWeights.Assign(layer, spec, saved, path);
        }

        static JsonNode? ReadZipJson(ZipArchive zip, string name, string path)
        {
            var entry = zip.GetEntry(name);
            if (entry is null) return null;
            try
            {
                using var s = entry.Open();
                return JsonNode.Parse(s);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException) { throw Corrupt(path, name, e); }
        }

        // ------------------------------------------------------------------ errors

        static JsonNode ParseJson(string text, string path, string what)
        {
            try { return JsonNode.Parse(text) ?? throw new InvalidDataException($"'{path}': {what} is empty."); }
            catch (JsonException e) { throw Corrupt(path, what, e); }
        }

        /// <summary>
        /// Runs a read, turning failures caused by the file's bytes into one clear "truncated or corrupt" error (see
        /// <see cref="IsReadFailure"/>); anything else (a runtime feature switched off, a missing type or method, a bug) propagates
        /// as it is, so a good file is never blamed.
        /// </summary>
        internal static T Guarded<T>(string path, string part, Func<T> read)
        {
            try { return read(); }
            catch (NotSupportedException e) when (e.TargetSite?.Module.Assembly == typeof(H5File).Assembly)
            {
                throw new NotSupportedException($"'{path}'{(part.Length > 0 ? $" ({part})" : "")} uses an HDF5 feature the reader (PureHDF) does not support: {e.Message}", e);
            }
            catch (Exception e) when (IsReadFailure(e)) { throw Corrupt(path, part, e); }
        }

        /// <summary>
        /// True when <paramref name="e"/> says the file's bytes are bad: an I/O or end-of-stream error, a JSON syntax error, or an
        /// error raised while PureHDF decodes the file (thrown from inside PureHDF). Not for the runtime's own failures
        /// (<see cref="NotSupportedException"/>, <see cref="TypeLoadException"/>, <see cref="MissingMemberException"/>, ...), nor for
        /// errors from anywhere else (our code throws <see cref="InvalidDataException"/> with its own message for bad content).
        /// </summary>
        internal static bool IsReadFailure(Exception e) => e switch
        {
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException => false,
            IOException or JsonException => true,
            _ when IsRuntimeFailure(e) => false,
            _ => ThrownInside(e, typeof(H5File).Assembly),
        };

        static bool IsRuntimeFailure(Exception e) => e is NotSupportedException or NotImplementedException or TypeLoadException
            or MemberAccessException or TypeInitializationException or InvalidProgramException or BadImageFormatException
            or OutOfMemoryException or InsufficientExecutionStackException or System.Runtime.InteropServices.ExternalException;

        /// <summary>True when a frame of <paramref name="e"/>'s stack trace (from where it was thrown to where it was caught) is in <paramref name="assembly"/>.</summary>
        static bool ThrownInside(Exception e, System.Reflection.Assembly assembly) =>
            new System.Diagnostics.StackTrace(e, fNeedFileInfo: false).GetFrames().Any(f => f.GetMethod()?.Module.Assembly == assembly);

        static InvalidDataException Corrupt(string path, string part, Exception e) =>
            new($"'{path}'{(part.Length > 0 ? $" ({part})" : "")} is truncated or corrupt and cannot be read as a Keras model: {e.Message}", e);
    }
}
