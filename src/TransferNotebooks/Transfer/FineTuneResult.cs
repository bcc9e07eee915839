using TransferNotebooks.Training;

namespace TransferNotebooks.Transfer;

/// <summary>What <see cref="FineTuning.FineTune(Models.KerasModel, Models.FitInputs, Models.FitTargets, FitOptions, int, double, double, int)"/> returns: the head-only phase, the whole-model phase, and both joined.</summary>
/// <param name="HeadPhase">Training with the base frozen (empty when freezeEpochs is 0).</param>
/// <param name="FullPhase">Training of the whole model with discriminative learning rates.</param>
public sealed record FineTuneResult(History HeadPhase, History FullPhase)
{
    /// <summary>Both phases as one history (epochs numbered continuously), for learning-curve charts.</summary>
    public History Combined => HeadPhase.Concat(FullPhase);
}
