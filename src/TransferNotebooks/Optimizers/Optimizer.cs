using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>A parameter to update and the factor applied to the learning rate for it (discriminative learning rates).</summary>
/// <param name="Parameter">The weight tensor (its <c>grad</c> holds the gradient).</param>
/// <param name="LearningRateScale">Multiplies the optimizer's learning rate for this parameter.</param>
public readonly record struct ParameterGroup(Tensor Parameter, double LearningRateScale = 1.0);

/// <summary>
/// An optimizer's hyper-parameters: one record per optimizer (<see cref="SgdConfig"/>, <see cref="AdamConfig"/>, ...) whose
/// constructor defaults are Keras's and the only copy of them. JSON keys are Keras's snake_case names (our model file and
/// Keras's <c>compile_config</c>); each optimizer file declares its record's source-generated JSON context and registers it.
/// </summary>
/// <param name="LearningRate">The learning rate (Keras <c>learning_rate</c>).</param>
public abstract record OptimizerConfig([property: JsonPropertyName("learning_rate"), JsonPropertyOrder(-1)] double LearningRate)
{
    /// <summary>JSON keys that are this library's own and that Keras's optimizers would reject (left out of Keras files).</summary>
    public virtual IReadOnlyCollection<string> LibraryOnlyKeys() => [];

    /// <summary>The config as a JSON object with Keras's snake_case keys (booleans as booleans), serialized by its run-time type.</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, OptimizerRegistry.JsonOf(GetType()))!.AsObject();
}

/// <summary>
/// An optimizer with Keras's update rules and defaults. Only the parameters passed to Step change, so frozen
/// weights never receive momentum or weight decay. Every native scalar is disposed deterministically (no finalizer growth).
/// Strings convert implicitly: <c>optimizer: "adam"</c>.
/// </summary>
public abstract class Optimizer : IDisposable
{
    readonly Dictionary<Tensor, Tensor[]> state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates an optimizer with a learning rate.</summary>
    protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number, for example 0.001.");
        LearningRate = learningRate;
    }

    /// <summary>The Keras name (the registry key, lower case: <c>adam</c>, <c>sgd</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The Keras class name (<c>keras.optimizers.Adam</c> is <c>Adam</c>), written to and read from Keras compile configs.</summary>
    public abstract string KerasClassName { get; }

    /// <summary>The learning rate (callbacks such as ReduceLROnPlateau change it between epochs).</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of steps taken (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; internal set; }

    /// <summary>Updates every parameter that has a gradient. Runs without autograd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(IEnumerable<ParameterGroup> parameters)
    {
        Iterations++;
        using var noGrad = no_grad();
        BeginStep();
        foreach (var group in parameters)
        {
            var grad = group.Parameter.grad;
            if (grad is null) continue;
            if (!state.TryGetValue(group.Parameter, out var slots))
            {
                slots = CreateSlots(group.Parameter);
                state[group.Parameter] = slots;
            }
            Update(group.Parameter, grad, slots, LearningRate * group.LearningRateScale);
        }
        EndStep();
    }

    /// <summary>Updates the given tensors (all at the optimizer's learning rate): the hand-written-loop form, optimizer.Step(model.TrainableParameters).</summary>
    public void Step(IEnumerable<Tensor> parameters) => Step(parameters.Select(p => new ParameterGroup(p)));

    /// <summary>Called once per step before the parameters (for per-step scalars).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected virtual void BeginStep() { }
    /// <summary>Called once per step after the parameters (dispose per-step scalars here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected virtual void EndStep() { }

    /// <summary>The optimizer's slots (moments, accumulators) for a new parameter, detached from any dispose scope.</summary>
    protected abstract Tensor[] CreateSlots(Tensor parameter);

    /// <summary>Applies one update in place.</summary>
    protected abstract void Update(Tensor parameter, Tensor grad, Tensor[] slots, double learningRate);

    /// <summary>A zero tensor like <paramref name="p"/>, owned by the optimizer (not by any dispose scope).</summary>
    protected static Tensor Slot(Tensor p, double fill = 0) => full_like(p, fill).DetachFromDisposeScope();

    /// <summary>The slots of a parameter, if it has been updated (for saving optimizer state and for tests).</summary>
    public IReadOnlyList<Tensor>? SlotsOf(Tensor parameter) => state.TryGetValue(parameter, out var s) ? s : null;

    /// <summary>Restores saved slots for a parameter (used when loading a model saved with its optimizer state).</summary>
    public void RestoreSlots(Tensor parameter, Tensor[] slots)
    {
        if (state.Remove(parameter, out var old)) foreach (var t in old) t.Dispose();
        state[parameter] = slots;
    }

    /// <summary>The hyper-parameters as the optimizer's config record, with the current learning rate (for Save/Load and display).</summary>
    public abstract OptimizerConfig GetConfig();

    /// <summary>Looks an optimizer up by Keras name, with Keras's defaults.</summary>
    public static implicit operator Optimizer(string name) => OptimizerRegistry.Get(name);

    /// <inheritdoc />
    public override string ToString() => $"{Name}(learning_rate={LearningRate})";

    /// <summary>Frees the optimizer's native state.</summary>
    public void Dispose()
    {
        foreach (var slots in state.Values) foreach (var s in slots) s.Dispose();
        state.Clear();
        GC.SuppressFinalize(this);
    }
}
