package org.maect.core.train;

import java.nio.file.Path;

/**
 * Side effects around a training loop (progress, metrics files, plots, evaluation). All methods default to
 * no-ops; the loop calls them on its own thread, so keep them short.
 */
public interface TrainingListener {

  /** Before the first step (after a resume: before the first new step). */
  default void onStart(TrainingStatus status) {}

  /** After each optimiser step. */
  default void onStep(TrainingStatus status) {}

  /** After each completed epoch; {@code status.loss()} is the epoch's mean loss. */
  default void onEpochEnd(TrainingStatus status) {}

  /** After a checkpoint was written (atomically) to {@code file}. */
  default void onCheckpoint(Path file, TrainingStatus status) {}

  /** After the last step of the stage. */
  default void onEnd(TrainingStatus status) {}
}
