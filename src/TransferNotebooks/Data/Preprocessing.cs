using static TorchSharp.torch;

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>One-hot encodes integer class labels (Keras's <c>to_categorical</c>): [N] to float32 [N, numClasses].</summary>
        /// <exception cref="ArgumentException">A label is outside [0, numClasses).</exception>
        public static Tensor ToCategorical(Tensor labels, int? numClasses = null)
        {
            using var idx = labels.to_type(ScalarType.Int64).reshape(-1);
            long max = idx.max().item<long>(), min = idx.min().item<long>();
            int classes = numClasses ?? (int)max + 1;
            if (min < 0 || max >= classes) throw new ArgumentException($"Label {(min < 0 ? min : max)} is outside [0, {classes}); pass numClasses large enough.");
            using var oh = nn.functional.one_hot(idx, classes);
            return oh.to_type(ScalarType.Float32);
        }

        /// <summary>One-hot encodes .NET labels.</summary>
        public static Tensor ToCategorical(int[] labels, int? numClasses = null)
        {
            using var t = tensor(labels.Select(l => (long)l).ToArray());
            return ToCategorical(t, numClasses);
        }

        /// <summary>Scales values to zero mean and unit variance per feature (statistics from <paramref name="x"/>, or those given).</summary>
        public static Tensor Standardize(Tensor x, Tensor? mean = null, Tensor? std = null)
        {
            using var scope = NewDisposeScope();
            var m = mean ?? x.mean([0], keepdim: true);
            var s = std ?? x.std(0, keepdim: true).clamp_min(1e-7);
            return ((x - m) / s).MoveToOuterDisposeScope();
        }
    }
}
