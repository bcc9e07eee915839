using System.Text.Json.Nodes;
using Plotly.NET;
using TransferNotebooks.Charts;
using TransferNotebooks.Training;

namespace TransferNotebooks.Tests.Charts;

/// <summary>Reads a chart back as the plotly.js figure JSON it will be drawn from.</summary>
static class ChartJson
{
    public static JsonObject Of(GenericChart chart) => JsonNode.Parse(ChartHtml.FigureJson(chart))!.AsObject();

    public static List<JsonNode> Traces(GenericChart chart) => Of(chart)["data"]!.AsArray().Select(n => n!).ToList();

    public static JsonObject Layout(GenericChart chart) => Of(chart)["layout"]!.AsObject();

    public static double?[] Numbers(JsonNode? node) => node!.AsArray().Select(n => n is null ? (double?)null : n.GetValue<double>()).ToArray();

    public static History SampleHistory()
    {
        var h = new History();
        double[] loss = [1.2, 0.7, 0.5, 0.41, 0.36], val = [0.9, 0.6, 0.52, 0.55, 0.58];
        double[] acc = [0.6, 0.78, 0.85, 0.88, 0.9], valAcc = [0.7, 0.8, 0.84, 0.83, 0.82];
        double[] lr = [1e-3, 1e-3, 1e-3, 5e-4, 5e-4];
        for (int e = 0; e < 5; e++)
            h.Append(e, new Dictionary<string, double>
            {
                ["loss"] = loss[e], ["accuracy"] = acc[e], ["val_loss"] = val[e], ["val_accuracy"] = valAcc[e], ["learning_rate"] = lr[e], ["seconds"] = 1.5,
            });
        return h;
    }
}
