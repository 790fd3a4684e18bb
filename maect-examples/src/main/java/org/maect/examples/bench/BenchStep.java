package org.maect.examples.bench;

/**
 * One benchmarked training step (one class per step kind, so a PyTorch counterpart or other stages can be
 * added beside it). {@link #setup} builds the model and a fixed batch; {@link #run} does one full step
 * (forward, backward, and whatever the real trainer does per step) and returns the images processed.
 */
public interface BenchStep extends AutoCloseable {
  String name();

  void setup();

  int run();

  @Override
  default void close() {}
}
