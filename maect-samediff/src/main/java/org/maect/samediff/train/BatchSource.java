package org.maect.samediff.train;

import java.util.Iterator;
import java.util.function.IntFunction;

/**
 * Batches of each epoch for the {@link TrainLoop}. An epoch's order must depend only on the epoch (e.g. a shuffle
 * seeded by {@code seed + epoch}) so that a resumed run sees the same batches.
 *
 * @param <B> batch type
 */
public interface BatchSource<B> {

  /** Optimiser steps per epoch (batches the iterator returns). */
  int stepsPerEpoch();

  /** The batches of {@code epoch}; if the iterator is {@link AutoCloseable} the loop closes it. */
  Iterator<B> epoch(int epoch);

  /** The batches of {@code epoch} after skipping the first {@code skip} (resume mid-epoch); default iterates them. */
  default Iterator<B> epoch(int epoch, int skip) {
    Iterator<B> it = epoch(epoch);
    for (int i = 0; i < skip && it.hasNext(); i++) it.next();
    return it;
  }

  /**
   * A source from an epoch factory, e.g. with the data module's iterator:
   * {@code BatchSource.of(ds.size() / batch, e -> BatchIterator.ofEpoch(ds, batch, views, t, seed, e))}.
   */
  static <B> BatchSource<B> of(int stepsPerEpoch, IntFunction<? extends Iterator<B>> epochs) {
    if (stepsPerEpoch < 1) throw new IllegalArgumentException("Invalid stepsPerEpoch: " + stepsPerEpoch);
    return new BatchSource<>() {
      @Override
      public int stepsPerEpoch() {
        return stepsPerEpoch;
      }

      @Override
      @SuppressWarnings("unchecked")
      public Iterator<B> epoch(int epoch) {
        return (Iterator<B>) epochs.apply(epoch);
      }
    };
  }
}
