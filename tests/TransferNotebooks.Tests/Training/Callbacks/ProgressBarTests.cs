using TransferNotebooks.Hosting;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class ProgressBarTests
{
    sealed class FakeNotebook : IDisplayHost
    {
        public int Shows;
        public readonly List<MimeBundle> Contents = [];
        public bool IsNotebook => true;
        public IDisplayHandle Show(MimeBundle content) { Shows++; Contents.Add(content); return new Handle(this); }
        sealed class Handle(FakeNotebook host) : IDisplayHandle { public void Update(MimeBundle content) => host.Contents.Add(content); }
    }

    [Fact]
    public void In_a_terminal_each_epoch_is_one_line_redrawn_with_carriage_returns_within_the_width()
    {
        using var train = Small.Train(400);
        using var m = Small.Mlp();
        var output = new StringWriter();
        var bar = new ProgressBar(output, interactive: true, width: 60) { RefreshInterval = TimeSpan.Zero };
        m.Fit(train, epochs: 3, batchSize: 20, validationSplit: 0.25, seed: 1, callbacks: [bar], verbose: 1);

        var text = output.ToString();
        var lines = text.Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);          // 3 epoch lines, each ended once
        Assert.Equal("", lines[^1]);
        for (int e = 0; e < 3; e++)
        {
            var draws = lines[e].Split('\r', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(draws.Length >= 10, $"epoch {e + 1}: the line should be redrawn per batch (got {draws.Length} draws)");
            Assert.All(draws, d => Assert.True(d.Length < 60, $"'{d}' is {d.Length} wide"));
            Assert.All(draws, d => Assert.StartsWith($"Epoch {e + 1}/3 [", d));
            Assert.Contains("ETA", draws[0]);
            Assert.Contains(" 1/15", draws[0]);
            Assert.Contains("15/15", draws[^1]);
            Assert.Contains("/step", draws[^1]);
            Assert.Contains("=]", draws[^1]);
        }
        Assert.Contains("loss: ", text);
    }

    [Fact]
    public void Long_metric_lists_are_cut_at_the_width_and_the_bar_keeps_its_size()
    {
        using var train = Small.Train(100);
        using var m = Small.Mlp();
        var output = new StringWriter();
        var bar = new ProgressBar(output, interactive: true, width: 40) { RefreshInterval = TimeSpan.Zero };
        m.Fit(train, epochs: 1, batchSize: 10, validationSplit: 0.2, callbacks: [bar], verbose: 1);
        var draws = output.ToString().Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, draws.Length);
        Assert.All(draws, d => Assert.True(d.Length <= 39, d));
        Assert.All(draws, d => Assert.Contains("[==========]", d.Replace(">", "=").Replace(".", "="))); // 10 wide on every draw
        Assert.EndsWith("[==========] 8/8", draws[^1][..(draws[^1].IndexOf(']') + 5)]);
    }

    [Fact]
    public void Redirected_output_gets_exactly_one_plain_line_per_epoch()
    {
        using var train = Small.Train(400);
        using var m = Small.Mlp();
        var output = new StringWriter();
        m.Fit(train, epochs: 3, batchSize: 20, validationSplit: 0.25, seed: 1, callbacks: [new ProgressBar(output, interactive: false) { RefreshInterval = TimeSpan.Zero }], verbose: 1);
        var text = output.ToString();
        Assert.DoesNotContain('\r', text);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            Assert.StartsWith($"Epoch {e + 1}/3 - 15/15 - ", lines[e]);
            Assert.Contains(" - val_accuracy: ", lines[e]);
            Assert.DoesNotContain("learning_rate", lines[e]);
        }
    }

    [Fact]
    public void Verbose_2_means_one_line_per_epoch_even_in_a_terminal_and_0_means_silence()
    {
        using var train = Small.Train(100);
        using var m = Small.Mlp();
        var two = new StringWriter();
        m.Fit(train, epochs: 2, batchSize: 20, callbacks: [new ProgressBar(two, interactive: true) { RefreshInterval = TimeSpan.Zero }], verbose: 2);
        Assert.DoesNotContain('\r', two.ToString());
        Assert.Equal(2, two.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Length);
        var zero = new StringWriter();
        m.Fit(train, epochs: 2, batchSize: 20, callbacks: [new ProgressBar(zero, interactive: true)], verbose: 0);
        Assert.Equal("", zero.ToString());
    }

    [Fact]
    public void In_a_notebook_one_display_is_updated_in_place_with_the_epoch_table_and_the_chart_hook()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        var host = new FakeNotebook();
        var seen = new List<int>();
        try
        {
            ProgressBar.EpochChartRenderer = h => { seen.Add(h.Count); return $"<svg id=\"curve-{h.Count}\"></svg>"; };
            m.Fit(train, epochs: 3, batchSize: 20, validationSplit: 0.2, callbacks: [new ProgressBar(host: host) { RefreshInterval = TimeSpan.Zero }], verbose: 1);
            Assert.Equal(1, host.Shows);
            Assert.Equal([1, 2, 3], seen);                       // once per epoch, never per batch
            Assert.True(host.Contents.Count > 3 * 8 / 2, "batch updates arrive in place");
            var last = host.Contents[^1].Data["text/html"];
            Assert.Contains("<svg id=\"curve-3\"></svg>", last);
            Assert.Equal(3, last.Split("<tr><td class=\"tn-key\">").Length - 1);   // one table row per epoch (the shared table: key cells carry tn-key)
            Assert.Contains("<th>val_loss</th>", last);
            Assert.Contains("<progress", last);
            Assert.Contains("Epoch 3/3", host.Contents[^1].PlainText);

            // A failing renderer is reported in the display and does not stop training.
            ProgressBar.EpochChartRenderer = _ => throw new InvalidOperationException("no plotly");
            var h2 = m.Fit(train, epochs: 2, batchSize: 20, callbacks: [new ProgressBar(host: host)], verbose: 1);
            Assert.Equal(2, h2.Count);
            Assert.Contains("no plotly", host.Contents[^1].Data["text/html"]);
        }
        finally { ProgressBar.EpochChartRenderer = null; }
    }

    [Fact]
    public void A_ProgressBar_passed_in_replaces_the_default_one()
    {
        using var train = Small.Train(100);
        using var m = Small.Mlp();
        var count = 0;
        var output = new StringWriter();
        var probe = new LambdaCallback(onTrainBegin: _ => count++);
        m.Fit(train, epochs: 1, batchSize: 50, callbacks: [probe, new ProgressBar(output)], verbose: 1);
        Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, count);
        Assert.Equal("0.1235", ProgressBar.Number(0.123456));
        Assert.Equal("1.235e+10", ProgressBar.Number(1.23456e10));
        Assert.Equal("NaN", ProgressBar.Number(double.NaN));
    }
}
