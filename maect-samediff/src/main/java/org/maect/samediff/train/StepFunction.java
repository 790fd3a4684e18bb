package org.maect.samediff.train;

import java.util.Map;
import org.maect.core.train.SeededRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step's forward and backward pass: loss and gradients for a batch. The {@link TrainLoop} applies
 * the optimiser; a step function must not update parameters itself.
 *
 * @param <B> batch type
 */
@FunctionalInterface
public interface StepFunction<B> {

  /** Where in the run a step is, with its own reproducible random stream. */
  record Context(long step, int epoch, int stepInEpoch, double lr, SeededRandom rng) {}

  /**
   * Result of a step.
   *
   * @param loss the scalar loss
   * @param gradients gradient by trainable variable name (same shapes as the variables)
   * @param images images in the batch (per view; for throughput)
   * @param metrics extra scalars to log (may be empty)
   */
  record Result(double loss, Map<String, INDArray> gradients, int images, Map<String, Double> metrics) {
    public Result {
      metrics = metrics == null ? Map.of() : metrics;
    }

    public Result(double loss, Map<String, INDArray> gradients, int images) {
      this(loss, gradients, images, Map.of());
    }
  }

  Result step(B batch, Context ctx);

  /** Called after the optimiser update of each step (EMA update, queue update, ...). */
  default void afterUpdate(Context ctx) {}

  /**
   * Called when the loop no longer needs {@code result} (after the update and listeners). A step function that
   * owns fresh gradient arrays may close them here to free native memory before the GC does (ND4J frees
   * off-heap buffers only on GC otherwise); the default keeps them.
   */
  default void release(Result result) {}
}
