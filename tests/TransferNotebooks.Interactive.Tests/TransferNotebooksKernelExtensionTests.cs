using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using TransferNotebooks.Hosting;
using TransferNotebooks.Interactive;
using TransferNotebooks.Models;
using TransferNotebooks.Training;
using static TorchSharp.torch;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Interactive.Tests;

/// <summary>
/// The kernel extension inside a real .NET Interactive <see cref="CompositeKernel"/> (in process, as the tool hosts it): a cell
/// that trains shows one progress display updated in place through .NET Interactive's events, and cancelling the running
/// command (Polyglot Notebooks' stop button sends <see cref="Cancel"/>) stops Fit after the current batch with the model intact.
/// </summary>
public sealed class TransferNotebooksKernelExtensionTests
{
    /// <summary>A kernel whose cells are .NET delegates: what a C# or F# cell would run, without compiling code.</summary>
    sealed class DelegateKernel() : Kernel("cells"), IKernelCommandHandler<SubmitCode>
    {
        public Func<Task>? Cell { get; set; }
        public Task HandleAsync(SubmitCode command, KernelInvocationContext context) => Cell?.Invoke() ?? Task.CompletedTask;
    }

    static (CompositeKernel Root, DelegateKernel Cells, List<KernelEvent> Events) NewKernel()
    {
        var cells = new DelegateKernel();
        var root = new CompositeKernel { cells };
        root.DefaultKernelName = cells.Name;
        var events = new List<KernelEvent>();
        root.KernelEvents.Subscribe(new Observer(e => { lock (events) events.Add(e); }));
        new TransferNotebooksKernelExtension().OnLoadAsync(root).GetAwaiter().GetResult();
        return (root, cells, events);
    }

    sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(KernelEvent value) => onNext(value);
    }

    static Sequential SmallModel()
    {
        var model = new Sequential(Dense(8, activation: "relu", inputShape: [4]), Dense(2, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        return model;
    }

    [Fact]
    public async Task Fit_progress_is_one_display_updated_in_place()
    {
        var (root, cells, events) = NewKernel();
        using var _ = root;
        Assert.IsType<InteractiveDisplayHost>(DisplayHost.Current);
        using var model = SmallModel();
        using var x = rand(64, 4);
        using var y = randint(2, [64]);
        cells.Cell = () => { model.Fit(x, y, epochs: 3, batchSize: 16, seed: 1); return Task.CompletedTask; };
        var result = await root.SendAsync(new SubmitCode("fit"));
        Assert.DoesNotContain(result.Events, e => e is CommandFailed);
        KernelEvent[] seen;
        lock (events) seen = events.ToArray();
        var shown = seen.OfType<DisplayedValueProduced>().Where(e => e.FormattedValues.Any(v => v.Value.Contains("tn-progress"))).ToList();
        var progress = Assert.Single(shown);
        var updates = seen.OfType<DisplayedValueUpdated>().Where(u => u.ValueId == progress.ValueId).ToList();
        Assert.True(updates.Count >= 2, $"{updates.Count} updates");
        Assert.Contains("Epoch 3/3", updates[^1].FormattedValues.First(v => v.MimeType == "text/html").Value);
    }

    [Fact]
    public async Task Cancel_stops_Fit_after_the_current_batch_and_the_model_stays_usable()
    {
        var (root, cells, events) = NewKernel();
        using var _ = root;
        using var model = SmallModel();
        using var x = rand(256, 4);
        using var y = randint(2, [256]);
        History? history = null;
        var training = new TaskCompletionSource();
        var finished = new TaskCompletionSource();
        cells.Cell = () => Task.Run(() =>
        {
            try
            {
                history = model.Fit(x, y, epochs: 100_000, batchSize: 32, verbose: 0,
                    callbacks: [new Training.Callbacks.LambdaCallback(onEpochEnd: (_, _) => training.TrySetResult())]);
            }
            finally { finished.TrySetResult(); }
        });
        var run = root.SendAsync(new SubmitCode("fit forever"));
        await training.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await root.SendAsync(new Cancel());
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));   // Fit returned by itself: it observed the stop button
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(Interruption.Token.IsCancellationRequested);
        Assert.NotNull(history);
        Assert.InRange(history!.Count, 1, 99_999);
        Assert.True(model.Evaluate(x, y).Loss is > 0 and < 10);   // usable after the stop
        // The next cell starts with a fresh stop button.
        cells.Cell = () => Task.CompletedTask;
        await root.SendAsync(new SubmitCode("next"));
        Assert.False(Interruption.Token.IsCancellationRequested);
    }
}
