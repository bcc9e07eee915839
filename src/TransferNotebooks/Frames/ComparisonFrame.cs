using Deedle;
using TransferNotebooks.Transfer;

namespace TransferNotebooks.Frames;

/// <summary>A transfer <see cref="Comparison"/> as a Deedle frame.</summary>
public static class ComparisonFrame
{
    /// <summary>One row per arm (scratch, frozen features, fine-tune, ...) with test <c>accuracy</c> and <c>loss</c>, training <c>seconds</c>, <c>epochs</c> and <c>trainable</c> weights.</summary>
    public static Frame<string, string> ToFrame(this Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var rows = comparison.Rows;
        var names = rows.Select(r => r.Name).ToArray();
        var builder = new FrameBuilder.Columns<string, string>();
        builder.Add("accuracy", new Series<string, double>(names, rows.Select(r => r.Accuracy)));
        builder.Add("loss", new Series<string, double>(names, rows.Select(r => r.Loss)));
        builder.Add("seconds", new Series<string, double>(names, rows.Select(r => r.Seconds)));
        builder.Add("epochs", new Series<string, int>(names, rows.Select(r => r.History.Count)));
        builder.Add("trainable", new Series<string, long>(names, rows.Select(r => r.TrainableParameters)));
        return builder.Frame;
    }
}
