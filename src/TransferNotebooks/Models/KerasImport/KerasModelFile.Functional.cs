using System.Text.Json.Nodes;
using PureHDF;
using PureHDF.VOL.Native;
using TransferNotebooks.Models.KerasImport;

namespace TransferNotebooks.Models
{
    // Keras functional models: the graph comes from KerasFunctionalArchitecture; the weights are found by layer as each format files them.
    //   legacy .h5:  model_weights/<layer name>/<weight path> with a weight_names attribute; a nested model's group holds all its layers'
    //                weights, named <inner layer>/<weight>:0 (Keras 2) or <model>/<inner layer>/<weight> (Keras 3): matched by inner layer name.
    //   .keras:      layers/<snake_case(class)>[_n]/vars/<i> in the config's layer order; a nested model as layers/<sequential|functional>/layers/...
    internal static partial class KerasModelFile
    {
        /// <summary>Loads a Keras functional model file (.h5 from Keras 2 or 3, or .keras) as a <see cref="Functional"/>.</summary>
        /// <param name="path">The file.</param>
        /// <param name="compile">Recreate Compile from the file's compile configuration when present.</param>
        /// <param name="notes">Receives what was ignored or approximated (optimizer state, regularizers, ...).</param>
        /// <exception cref="InvalidDataException">Not a Keras model file, a Sequential model, truncated or corrupt, a broken graph, or weights that do not fit.</exception>
        /// <exception cref="NotSupportedException">A layer or feature the importer does not support (named in the message).</exception>
        public static Functional LoadFunctional(string path, bool compile = true, List<string>? notes = null)
        {
            notes ??= [];
            if (!File.Exists(path)) throw new FileNotFoundException($"No Keras model file at '{path}'.", path);
            return Detect(path) switch
            {
                ModelFileKind.KerasHdf5 => WithHdf5(path, file => ReadFunctionalHdf5(file, path, compile, notes)),
                ModelFileKind.KerasZip => WithZip(path, config => RequireFunctional(config, path),
                    (h5, root, config, _) => ReadFunctionalZip(h5, root, path, compile, notes)),
                _ => throw new InvalidDataException($"'{path}' is not a Keras model file, or it is truncated: it is neither HDF5 (.h5) nor a readable zip archive (.keras)."),
            };
        }

        /// <summary>True when the Keras file's model config is a functional model's (errors about the file as the loaders give them).</summary>
        static bool IsFunctional(string path) => Detect(path) switch
        {
            ModelFileKind.KerasHdf5 => WithHdf5(path, file => KerasFunctionalArchitecture.IsFunctional(ModelConfig(file, path))),
            ModelFileKind.KerasZip => KerasFunctionalArchitecture.IsFunctional(ZipConfig(path)),
            _ => false,
        };

        /// <summary>A .keras zip's config.json, or null when it has none (the loader then says what is missing).</summary>
        static JsonNode? ZipConfig(string path)
        {
            System.IO.Compression.ZipArchive zip;
            try { zip = System.IO.Compression.ZipFile.OpenRead(path); }
            catch (InvalidDataException e) { throw Corrupt(path, "", e); }
            using (zip) return ReadZipJson(zip, "config.json", path);
        }

        /// <summary>The config as a functional model's, or the error saying which loader fits the file.</summary>
        static JsonObject RequireFunctional(JsonNode config, string path)
        {
            if (KerasFunctionalArchitecture.IsFunctional(config)) return (JsonObject)config;
            if (config is JsonObject o && KerasArchitectureReader.Str(o, "class_name") == "Sequential")
                throw new InvalidDataException($"'{path}' holds a Keras Sequential model, not a functional one; it loads as a Sequential.");
            KerasArchitectureReader.Read(config, path); // throws the reader's error for other classes
            throw new InvalidDataException($"'{path}' does not hold a Keras functional model.");
        }

        static Functional ReadFunctionalHdf5(NativeFile file, string path, bool compile, List<string> notes)
        {
            var root = RequireFunctional(ModelConfig(file, path), path);
            if (!file.LinkExists("model_weights"))
                throw new InvalidDataException($"'{path}' has a model config but no 'model_weights' group: it was saved without weights or is incomplete.");
            var (model, owners) = KerasFunctionalArchitecture.Build(root, path, notes);
            try
            {
                AssignHdf5(file.Group("model_weights"), owners, path);
                if (compile && KerasHdf5.StringAttribute(file, "training_config") is { } tc && ParseJson(tc, path, "training_config") is JsonObject training)
                    KerasCompileConfig.Apply(model, training, legacy: true, notes);
                if (file.LinkExists("optimizer_weights")) notes.Add("optimizer state (optimizer_weights) not imported: training restarts with fresh optimizer slots");
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>Assigns each layer's weights from its group under model_weights; a nested model's group is split by inner layer name.</summary>
        static void AssignHdf5(IH5Group weightsGroup, IReadOnlyList<KerasWeightOwner> owners, string path)
        {
            var savedNames = KerasHdf5.StringList(weightsGroup, "layer_names");
            foreach (var owner in owners)
            {
                var leaves = owner.Leaves.Where(l => l.Layer.KerasWeightNames.Count > 0).ToList();
                if (leaves.Count == 0) continue;
                if (!weightsGroup.LinkExists(owner.Name))
                    throw new InvalidDataException($"'{path}': no weights for layer '{owner.Name}' ({owner.ClassName}) under model_weights"
                        + (savedNames.Count > 0 ? $" (saved layers: {string.Join(", ", savedNames)})." : "."));
                var group = weightsGroup.Group(owner.Name);
                var names = KerasHdf5.StringList(group, "weight_names");
                if (owner.Nested is null)
                {
                    KerasWeights.Assign(owner.Layer, owner.Spec!, names.Select(n => KerasHdf5.ReadWeight(group, n, KerasWeights.ShortName(n))).ToList(), path);
                    continue;
                }
                var byName = leaves.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First());
                var saved = leaves.ToDictionary(l => l, _ => new List<SavedWeight>());
                foreach (var n in names)
                {
                    var parts = n.Split('/');
                    KerasWeightOwner? leaf = null;
                    for (int i = parts.Length - 2; i >= 0 && leaf is null; i--) byName.TryGetValue(parts[i], out leaf);
                    if (leaf is null)
                        throw new InvalidDataException($"'{path}': weight '{n}' of nested model '{owner.Name}' belongs to none of its layers "
                            + $"({string.Join(", ", byName.Keys)}); the weights do not match the architecture.");
                    saved[leaf].Add(KerasHdf5.ReadWeight(group, n, KerasWeights.ShortName(n)));
                }
                foreach (var leaf in leaves) KerasWeights.Assign(leaf.Layer, leaf.Spec!, saved[leaf], path);
            }
        }

        static Functional ReadFunctionalZip(NativeFile h5, JsonObject root, string path, bool compile, List<string> notes)
        {
            var (model, owners) = KerasFunctionalArchitecture.Build(root, path, notes);
            try
            {
                AssignZip(h5, "layers", owners, path);
                if (compile && root["compile_config"] is JsonObject cc && cc.Count > 0)
                    KerasCompileConfig.Apply(model, cc, legacy: false, notes);
                if (h5.LinkExists("optimizer")) notes.Add("optimizer state not imported: training restarts with fresh optimizer slots");
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>Assigns the layers' weights from <paramref name="root"/> (a model's <c>layers</c> group), recursing into nested models.</summary>
        static void AssignZip(NativeFile h5, string root, IReadOnlyList<KerasWeightOwner> owners, string path)
        {
            var keys = KerasWeights.ZipGroupNames(owners.Select(o => o.ClassName));
            for (int i = 0; i < owners.Count; i++)
            {
                var owner = owners[i];
                if (owner.Nested is { } nested) AssignZip(h5, $"{root}/{keys[i]}/layers", nested, path);
                else AssignZipLayer(h5, $"{root}/{keys[i]}", owner.Layer, owner.Spec!, path);
            }
        }
    }
}
