namespace TransferNotebooks.Layers
{
    /// <summary>
    /// A symbolic tensor of the functional API (Keras's <c>KerasTensor</c>): no values, only the per-sample shape (Keras layout,
    /// channels last, without the batch dimension) and the layer call that produced it. <see cref="Keras.Input"/> makes one;
    /// calling a layer on one (<c>Dense(64, activation: "relu").Call(x)</c>) builds the layer for its shape and returns the next.
    /// Immutable: a graph of them cannot have cycles.
    /// </summary>
    public sealed class KerasTensor
    {
        internal KerasTensor(int[] shape, Layer? layer, IReadOnlyList<KerasTensor> inputs, bool? training, string? name, NameScope scope)
        {
            shape_ = shape.ToArray();
            Layer = layer;
            Inputs = inputs;
            Training = training;
            InputName = name;
            Scope = scope;
        }

        readonly int[] shape_;

        /// <summary>The per-sample shape, Keras layout (images (H, W, C)), without the batch dimension.</summary>
        public IReadOnlyList<int> Shape => shape_;

        internal int[] ShapeArray => shape_;

        /// <summary>The layer whose call produced this tensor; null for a tensor made by <see cref="Keras.Input"/>.</summary>
        public Layer? Layer { get; }

        /// <summary>The tensors the producing layer was called on (empty for an input).</summary>
        public IReadOnlyList<KerasTensor> Inputs { get; }

        /// <summary>The <c>training</c> argument of the call that made this tensor (Keras's <c>layer(x, training=False)</c>); null when not given (it follows the model).</summary>
        public bool? Training { get; }

        /// <summary>True for a tensor made by <see cref="Keras.Input"/>.</summary>
        public bool IsInput => Layer is null;

        /// <summary>The input's name (for an input tensor), else null.</summary>
        public string? InputName { get; internal set; }

        /// <summary>True for an input named by default (<c>input_layer</c>), which a model with several inputs may rename to keep names unique.</summary>
        internal bool AutoNamed { get; init; }

        /// <summary>Naming of the layers of the graph this tensor belongs to (Keras's dense, dense_1, ... within one graph).</summary>
        internal NameScope Scope { get; }

        /// <summary>What produced the tensor, for messages: <c>input 'input_layer'</c> or <c>layer 'conv2d' (Conv2D)</c>.</summary>
        internal string Origin => Layer is { } l ? $"layer {l.Label}" : $"input '{InputName}'";

        /// <inheritdoc />
        public override string ToString() => $"<KerasTensor shape={Layers.Layer.ShapeText(shape_)}, from {Origin}>";
    }

    /// <summary>The layer names taken in one graph: layers called on its tensors get Keras's default names (dense, dense_1, ...) unique in it.</summary>
    internal sealed class NameScope
    {
        readonly HashSet<string> names = new(StringComparer.Ordinal);
        NameScope? parent;

        NameScope Root => parent is null ? this : parent.Root;

        /// <summary>Joins two graphs (a merge of tensors from different inputs): names taken in either are taken in both.</summary>
        public void Join(NameScope other)
        {
            var (a, b) = (Root, other.Root);
            if (ReferenceEquals(a, b)) return;
            a.names.UnionWith(b.names);
            b.parent = a;
        }

        /// <summary>Names <paramref name="layer"/> when it has no name yet, and records its name as taken.</summary>
        public void Name(Layer layer)
        {
            var root = Root;
            if (layer.Name is null)
            {
                var baseName = layer.LayerType.DefaultName;
                var name = baseName;
                for (int i = 1; root.names.Contains(name); i++) name = $"{baseName}_{i}";
                layer.Name = name;
                layer.AutoNamed = true;
            }
            root.names.Add(layer.Name);
        }

        /// <summary>Takes a name (an input's) in this graph.</summary>
        public void Take(string name) => Root.names.Add(name);

        /// <summary>A name not yet taken, from <paramref name="baseName"/>.</summary>
        public string Unique(string baseName)
        {
            var root = Root;
            var name = baseName;
            for (int i = 1; root.names.Contains(name); i++) name = $"{baseName}_{i}";
            return name;
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// A symbolic input of a functional model (Keras's <c>keras.Input</c>): <c>var inputs = Input([28, 28, 1]);</c>. Call layers on it
        /// and build the model with <c>new Functional(inputs, outputs)</c>.
        /// </summary>
        /// <param name="shape">The per-sample shape without the batch dimension, Keras layout (images (H, W, C)).</param>
        /// <param name="name">The input's name (<c>input_layer</c> when null).</param>
        public static Layers.KerasTensor Input(IEnumerable<int> shape, string? name = null)
        {
            ArgumentNullException.ThrowIfNull(shape);
            var s = shape.ToArray();
            if (s.Length == 0 || s.Any(d => d <= 0))
                throw new ArgumentException($"Input shape [{string.Join(", ", s)}] is not valid: give the per-sample shape without the batch dimension, with positive sizes, for example Input([28, 28, 1]).", nameof(shape));
            var scope = new Layers.NameScope();
            var inputName = name ?? "input_layer";
            scope.Take(inputName);
            return new Layers.KerasTensor(s, null, [], null, inputName, scope) { AutoNamed = name is null };
        }
    }
}
