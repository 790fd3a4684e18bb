package org.maect.samediff.mae;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MAE's {@code forward_loss}: mean squared error per patch, averaged over the removed patches only.
 * The (norm-pix) target is computed on the host by {@link Patchify#target}: it needs no gradient.
 *
 * <pre>
 *   loss = sum_{b,l} removed[b,l] * mean_P (pred[b,l] - target[b,l])^2  /  sum removed
 * </pre>
 * The per-patch mean is a matmul with a constant {@code 1/P} column (no broadcast backward).
 */
public final class NormPixLoss {
  private NormPixLoss() {}

  /**
   * @param pred {@code [B, L, P]}
   * @param target {@code [B, L, P]}
   * @param removed {@code [B*L, 1]}, 1 for masked patches
   * @return scalar loss
   */
  public static SDVariable apply(SameDiff sd, String name, SDVariable pred, SDVariable target,
      SDVariable removed, int patchDim) {
    SDVariable diff = pred.sub(target).reshape(-1, patchDim);                       // [B*L, P]
    SDVariable avg = sd.constant(Nd4j.ones(pred.dataType(), patchDim, 1).divi(patchDim));
    SDVariable perPatch = diff.mul(diff).mmul(avg);                                 // [B*L, 1]
    return perPatch.mul(removed).sum().div(name, removed.sum());
  }
}
