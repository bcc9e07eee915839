using Plotly.NET;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>Histograms of a layer's weights, one overlaid series per tensor (kernel, bias, ...).</summary>
    /// <param name="layer">A built layer (for example <c>model.Layers["dense"]</c>).</param>
    /// <param name="bins">The number of bins.</param>
    /// <param name="title">The chart title; names the layer by default.</param>
    /// <exception cref="ArgumentException">The layer has no weights.</exception>
    public static GenericChart WeightHistogram(Layer layer, int bins = 60, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var weights = layer.Weights;
        if (weights.Count == 0) throw new ArgumentException($"Layer '{layer.Name}' ({layer.TypeName}) has no weights to plot.", nameof(layer));
        var series = weights.Select(w => (w.Name, Values: Flat(w.Value))).ToList();
        return Histogram(series, bins, title ?? $"Weights of {layer.Name} ({layer.TypeName})", "weight value");
    }

    /// <summary>The histogram of a layer's outputs (activations) on <paramref name="x"/>, in inference mode.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layerName">The layer whose output to show.</param>
    /// <param name="x">A batch of inputs in Keras layout (for example <c>data.X</c> or a slice of it).</param>
    /// <param name="bins">The number of bins.</param>
    /// <param name="title">The chart title; names the layer by default.</param>
    /// <exception cref="ArgumentException">No layer of that name.</exception>
    public static GenericChart ActivationHistogram(Sequential model, string layerName, TorchSharp.torch.Tensor x, int bins = 60, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        int index = model.Layers.IndexOf(layerName);
        if (index < 0) throw new ArgumentException($"No layer '{layerName}'. Layers: {string.Join(", ", model.Layers.Select(l => l.Name))}.", nameof(layerName));
        double[] values;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var h = model.PrepareInput(x);
            for (int i = 0; i <= index; i++) h = model.Layers[i].Call(h, false);
            values = Flat(h);
        }
        double zeros = values.Length == 0 ? 0 : values.Count(v => v == 0) / (double)values.Length;
        return Histogram([("activation", values)], bins,
            title ?? $"Activations of {layerName} on {x.shape[0]} samples ({Figure.Num(zeros * 100, "0.#")}% exactly zero)", "activation value");
    }

    static double[] Flat(TorchSharp.torch.Tensor t)
    {
        using var f = t.detach().to_type(ScalarType.Float64).reshape(-1);
        return f.data<double>().ToArray();
    }

    static GenericChart Histogram(IReadOnlyList<(string Name, double[] Values)> series, int bins, string title, string xTitle)
    {
        var all = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        double min = all.Count == 0 ? 0 : all.Min(), max = all.Count == 0 ? 1 : all.Max();
        double size = max > min ? (max - min) / Math.Max(1, bins) : 1;
        var traces = series.Select((s, i) => Figure.Trace("histogram", ("x", s.Values), ("name", $"{s.Name} ({s.Values.Length:N0})"),
            ("xbins", Figure.Obj(("start", min), ("end", max + size * 0.5), ("size", size))), ("opacity", series.Count > 1 ? 0.65 : 0.9), ("histnorm", series.Count > 1 ? "probability" : null),
            ("marker", Figure.Obj(("color", Figure.Palette[i % Figure.Palette.Length]), ("line", Figure.Obj(("color", "white"), ("width", 0.5))))))).ToList();
        var layout = Figure.Layout(title, 760, 430,
            ("barmode", "overlay"),
            ("xaxis", Figure.Axis(("title", Figure.Title(xTitle)), ("showline", true), ("linecolor", "#444444"))),
            ("yaxis", Figure.Axis(("title", Figure.Title(series.Count > 1 ? "fraction of each tensor" : "count")), ("showline", true), ("linecolor", "#444444"), ("gridcolor", "#eeeeee"))),
            ("legend", Figure.Obj(("x", 0.99), ("xanchor", "right"), ("y", 0.99), ("bgcolor", "rgba(255,255,255,0.8)"))));
        return Figure.Chart(traces, layout);
    }
}
