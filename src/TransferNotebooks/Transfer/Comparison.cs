using System.Diagnostics;
using System.Globalization;
using System.Text;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Training;

namespace TransferNotebooks.Transfer;

/// <summary>One arm of a <see cref="Comparison"/>: how it was trained and how it did on the same test data.</summary>
/// <param name="Name">Arm name (for example "scratch", "frozen features", "fine-tune").</param>
/// <param name="Accuracy">Test accuracy.</param>
/// <param name="Loss">Test loss.</param>
/// <param name="Seconds">Training wall time.</param>
/// <param name="History">The training history, for charts.</param>
/// <param name="TrainableParameters">Weights that training could change.</param>
public sealed record ComparisonRow(string Name, double Accuracy, double Loss, double Seconds, History History, long TrainableParameters);

/// <summary>
/// Trains several arms (from scratch, frozen features + new head, fine-tuning, ...) on the same data and budget and evaluates
/// them on the same test set, side by side: <see cref="Rows"/> for tables, each row's History for charts.
/// </summary>
public sealed class Comparison
{
    readonly List<ComparisonRow> rows = [];

    /// <summary>The test data every arm is evaluated on.</summary>
    public Dataset Test { get; }

    /// <summary>Creates a comparison evaluated on <paramref name="test"/>.</summary>
    public Comparison(Dataset test) => Test = test;

    /// <summary>The arms so far.</summary>
    public IReadOnlyList<ComparisonRow> Rows => rows;

    /// <summary>Runs one arm: builds the model, trains it (timed), evaluates it on the test data, disposes it.</summary>
    /// <param name="name">Arm name.</param>
    /// <param name="build">Creates the compiled model.</param>
    /// <param name="train">Trains it and returns its history.</param>
    public ComparisonRow Run(string name, Func<Sequential> build, Func<Sequential, History> train)
    {
        using var model = build();
        long trainable = model.Summary().TrainableParameters;
        var clock = Stopwatch.StartNew();
        var history = train(model);
        clock.Stop();
        var result = model.Evaluate(Test, batchSize: 256);
        var row = new ComparisonRow(name, result.Accuracy, result.Loss, clock.Elapsed.TotalSeconds, history, trainable);
        rows.Add(row);
        return row;
    }

    /// <summary>The histories by arm name (for a comparison chart).</summary>
    public IReadOnlyDictionary<string, History> Histories => rows.ToDictionary(r => r.Name, r => r.History);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{"arm",-22}{"accuracy",10}{"loss",10}{"seconds",10}{"trainable",12}");
        foreach (var r in rows)
            sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Name,-22}{r.Accuracy,10:P1}{r.Loss,10:0.000}{r.Seconds,10:0.0}{r.TrainableParameters,12:N0}");
        return sb.ToString();
    }
}
