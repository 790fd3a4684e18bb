package org.maect.samediff.mae;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A differentiable per-sample gather along the token axis and its inverse scatter, as batched matmuls
 * with a one-hot selection {@code sel: [B, K, L]} (row k of sample b is the one-hot of the k-th selected
 * index; see {@link RandomMasking#keepOneHot}).
 *
 * <p>{@code gather(sel, x)[b, k] = x[b, ids[b, k]]} ({@code torch.gather(x, 1, ids)}) and
 * {@code scatter(sel, y)[b, l] = y[b, k]} where {@code ids[b, k] = l}, zero elsewhere. Gradients are
 * matmul gradients, hence exact (SameDiff M2.1's {@code gather} backward fails and {@code gatherNd} has
 * none). Cost {@code B*K*L*D} multiply-adds, small next to a transformer block for MAE sizes.
 */
public final class PerSampleGather {
  private PerSampleGather() {}

  /** {@code x: [B, L, D] -> [B, K, D]}. */
  public static SDVariable gather(SDVariable sel, SDVariable x) {
    return sel.getSameDiff().mmul(sel, x);
  }

  /** {@code y: [B, K, D] -> [B, L, D]} (rows not selected are zero). */
  public static SDVariable scatter(SDVariable sel, SDVariable y) {
    SameDiff sd = sel.getSameDiff();
    return sd.mmul(sel, y, true, false, false);
  }

  /** {@code [B*L, 1]}: 1 where a token is not selected (MAE's mask, 0 keep 1 remove), no gradient. */
  public static SDVariable removedColumn(SDVariable sel) {
    return sel.sum(1).rsub(1.0).reshape(-1, 1);
  }
}
