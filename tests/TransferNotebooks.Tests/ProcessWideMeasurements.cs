namespace TransferNotebooks.Tests;

/// <summary>
/// Tests that read process-wide counters (glibc's <c>mallinfo2</c>): they run alone, after the parallel tests, because another
/// test allocating or freeing at the same moment moves the counters (a 3 MB heap block measured as missing, seen in a full run).
/// </summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;
