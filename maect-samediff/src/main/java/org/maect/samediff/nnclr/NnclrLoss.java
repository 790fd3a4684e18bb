package org.maect.samediff.nnclr;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The symmetric NNCLR InfoNCE loss (ml-jku/MAE-CT {@code nnclr_loss_fn}, not transposed).
 *
 * <p>For the view pair (a, b) = (0, 1) and (1, 0): {@code logits = nn_b @ normalize(pred_a).T / tau}
 * ({@code [B, B]}), cross-entropy of each row against the diagonal, averaged over rows; the two directions
 * are averaged. The diagonal logit is the row-wise dot product, so no label matrix is needed:
 * {@code CE_i = logsumexp_j logits[i, j] - logits[i, i]}.
 *
 * <p>The positives are a placeholder (stop-gradient: they come from the queue, looked up outside the graph);
 * they are expected L2-normalised (queue entries are).
 */
public final class NnclrLoss {

  private NnclrLoss() {}

  /** Smallest temperature for which the fixed log-sum-exp shift cannot underflow in float32. */
  public static final double MIN_TEMPERATURE = 0.025;

  /**
   * Adds the loss.
   *
   * <p>Two SameDiff M2.1 workarounds: (1) {@code logSumExp} loses its dimensions when the gradient graph is
   * cloned (its backward fails), and so does {@code reverse}; the log-sum-exp is composed with the fixed
   * shift {@code 1/tau} (all logits lie in {@code [-1/tau, 1/tau]} because both factors have unit norm), and
   * the view swap is done by the caller. (2) {@code reduce_sum} backward on rank 3 needs kept dimensions.
   *
   * @param predicted {@code [2*B, O]} predictor outputs, view-major, not normalised
   * @param positives {@code [2*B, O]}, L2-normalised, stop-gradient: row block a holds the positives for
   *     view a's predictions, i.e. the neighbours found for view {@code 1 - a}'s projections (see
   *     {@link #pairWithOtherView})
   * @param outDim O
   * @param temperature tau
   * @return scalar loss
   */
  public static SDVariable build(
      SameDiff sd, String name, SDVariable predicted, SDVariable positives, long outDim, double temperature) {
    if (!(temperature >= MIN_TEMPERATURE)) {
      throw new IllegalArgumentException("temperature " + temperature + " below " + MIN_TEMPERATURE
          + " (the composed log-sum-exp would underflow in float32)");
    }
    double shift = 1.0 / temperature;
    SDVariable p3 = predicted.reshape(2, -1, outDim); // (2B, O) -> (2, B, O)
    SDVariable pn = normalize(sd, p3, 2); // F.normalize(pred, dim=-1)
    SDVariable nn3 = positives.reshape(2, -1, outDim); // (2B, O) -> (2, B, O)
    SDVariable logits = sd.mmul(nn3, pn, false, true, false).div(temperature); // (2, B, B): nn_b @ pred_a^T
    SDVariable lse = sd.math().log(sd.math().exp(logits.sub(shift)).sum(true, 2)).add(shift); // (2, B, 1)
    SDVariable diag = nn3.mul(pn).sum(true, 2).div(temperature); // (2, B, 1): logits[a, i, i]
    return lse.sub(diag).mean(name);
  }

  /** {@code torch.nn.functional.normalize}'s epsilon: rows with a smaller norm are divided by it instead. */
  public static final double NORMALIZE_EPS = 1e-12;

  /**
   * {@code x / max(||x||, 1e-12)} along {@code axis} (kept dimension), as torch {@code F.normalize}, with a
   * finite gradient at a zero row.
   *
   * <p>A prediction row can be exactly zero: the predictor ends {@code ReLU -> Linear(no bias)}, so a sample
   * whose hidden units are all negative after the per-view BatchNorm predicts 0. SameDiff's {@code norm2}
   * backward is {@code x * g / ||x||}, 0/0 = NaN there, and the NaN spreads through the following matmul
   * backward ({@code 0 * NaN}) into the predictor weights, although the true gradient is finite (torch masks
   * the norm's gradient where the norm is 0). Here the norm is {@code sqrt(max(sum(x^2), eps^2))}: the same
   * value as {@code max(||x||, eps)}, and below {@code eps^2} the scalar max passes no gradient to the sum of
   * squares, so a zero row gets {@code g / eps} from the division only (as in torch) and no NaN.
   *
   * @param x e.g. {@code [2, B, O]}
   * @return same shape, rows of unit norm (zero rows stay zero)
   */
  public static SDVariable normalize(SameDiff sd, SDVariable x, int axis) {
    SDVariable sumSq = x.mul(x).sum(true, axis); // (.., O) -> (.., 1)
    SDVariable norm = sd.math().sqrt(sd.scalarMax(sumSq, NORMALIZE_EPS * NORMALIZE_EPS)); // max(||x||, eps)
    return x.div(norm);
  }

  /**
   * Reorders per-view neighbours into the positives layout of {@link #build}: swaps the two row blocks.
   *
   * @param neighbours {@code [2*B, O]} row-major, block v = neighbours of view v
   * @return {@code [2*B, O]} row-major, block a = neighbours of view 1 - a
   */
  public static float[] pairWithOtherView(float[] neighbours) {
    int half = neighbours.length / 2;
    float[] out = new float[neighbours.length];
    System.arraycopy(neighbours, half, out, 0, half);
    System.arraycopy(neighbours, 0, out, half, half);
    return out;
  }
}
