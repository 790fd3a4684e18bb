package org.maect.examples.bench;

/**
 * One benchmarked step (one class per step kind). {@link #setup} builds the model and a fixed synthetic
 * batch; {@link #run} does one full step as the trainer does it (forward, backward, optimiser update and
 * whatever else the stage does per step) and returns the images processed.
 */
public interface BenchStep extends AutoCloseable {
  /** Short id: {@code mae_step}, {@code ct_step} or {@code embed}. */
  String name();

  void setup();

  /** One step; returns the number of images it processed. */
  int run();

  /** Counted (nominal model) FLOPs of one step, see {@link FlopCount}. */
  double flopsPerStep();

  /** The graph a profiler can listen to (null if none). */
  default org.nd4j.autodiff.samediff.SameDiff sameDiff() {
    return null;
  }

  @Override
  default void close() {}
}
