package org.maect.samediff.train;

/**
 * Thrown by the {@link TrainLoop} when a step produces a NaN or infinite loss or gradient. Parameters were not
 * updated by that step; the last checkpoint on disk (if any) is intact.
 */
public final class NonFiniteLossException extends IllegalStateException {
  private final long step;

  public NonFiniteLossException(String message, long step) {
    super(message);
    this.step = step;
  }

  /** The step (1-based, as in progress lines) that produced the non-finite value. */
  public long step() {
    return step;
  }
}
