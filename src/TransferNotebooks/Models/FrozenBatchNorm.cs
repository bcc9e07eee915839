namespace TransferNotebooks.Models;

/// <summary>What frozen BatchNormalization layers do during training.</summary>
public enum FrozenBatchNorm
{
    /// <summary>Keras's policy (default): a frozen BatchNormalization runs in inference mode, with its moving statistics fixed and its scale/offset frozen.</summary>
    Inference,
    /// <summary>fastai's policy: BatchNormalization layers keep training (batch statistics, updated moving averages, trainable scale/offset) even when the rest is frozen.</summary>
    KeepTraining,
}
