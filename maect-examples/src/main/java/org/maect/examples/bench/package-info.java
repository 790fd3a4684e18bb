/**
 * {@code ./maect bench}: timed training steps (one class per benchmarked step: {@link MaeStepBench},
 * {@link CtStepBench}, {@link EmbedBench}), their counted FLOPs ({@link FlopCount}), a worker that runs one
 * benchmark in a fresh JVM so its peak RSS belongs to that step alone ({@link BenchWorker}), and the PyTorch
 * reference run ({@link TorchReference}, script {@code tools/bench/torch_bench.py}).
 */
package org.maect.examples.bench;
