// TorchSharp's random generator is process-wide: tests that seed it (manual_seed, Fit(seed:)) and build models must not
// interleave with other tests drawing random numbers, or "same seed, same result" breaks. So test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
