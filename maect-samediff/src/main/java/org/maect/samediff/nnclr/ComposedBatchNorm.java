package org.maect.samediff.nnclr;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.BatchNorm1d} built from mean / variance / normalise ops, with statistics per view.
 *
 * <p>SameDiff 1.0.0-M2.1's {@code batchNorm} with batch statistics fails ("axis must be specified"), so the
 * layer is composed: {@code x: [V*B, C] -> [V, B, C]}, mean and biased variance over B (one set per view, as
 * the reference runs the head once per view), {@code (x - mean) / sqrt(var + eps) * weight + bias}. In
 * inference mode the running buffers (constants) replace the batch statistics.
 *
 * <p>Running statistics are not a graph side effect: the graph exposes the batch mean and biased variance
 * ({@code [V, C]}) and {@link #updateRunningStats} applies torch's update once per view, in view order, with
 * the unbiased variance: {@code running = (1 - m) * running + m * batch}.
 *
 * <p>Names follow the PyTorch state dict: {@code <name>.weight}, {@code <name>.bias},
 * {@code <name>.running_mean}, {@code <name>.running_var}.
 */
public final class ComposedBatchNorm {

  /** Whether a BatchNorm uses batch statistics (training) or its running buffers (inference). */
  public enum Mode {
    TRAIN,
    INFERENCE
  }

  /**
   * One BatchNorm layer of a built graph.
   *
   * @param name state-dict prefix, e.g. {@code projector.1}
   * @param batchMean per-view batch mean {@code [V, C]} (null in inference mode)
   * @param batchVar per-view biased batch variance {@code [V, C]} (null in inference mode)
   */
  public record Layer(String name, SDVariable batchMean, SDVariable batchVar) {}

  private ComposedBatchNorm() {}

  /**
   * Adds the layer to {@code sd}.
   *
   * @param x {@code [V*B, C]}, view-major rows
   * @param params arrays for {@code <name>.weight/bias} (if affine) and, in inference mode,
   *     {@code <name>.running_mean/running_var}; running buffers become constants
   * @param trainable weights become variables (else constants, e.g. the EMA target projector)
   * @param layers receives the layer record (batch-statistic outputs for the running-stat update)
   * @return {@code [V*B, C]}
   */
  public static SDVariable apply(
      SameDiff sd,
      String name,
      SDVariable x,
      int views,
      long channels,
      boolean affine,
      boolean trainable,
      double eps,
      Mode mode,
      Map<String, INDArray> params,
      List<Layer> layers) {
    SDVariable y;
    if (mode == Mode.TRAIN) {
      SDVariable x3 = x.reshape(views, -1, channels); // (V*B, C) -> (V, B, C)
      SDVariable mean = x3.mean(true, 1); // (V, 1, C)
      SDVariable xc = x3.sub(mean);
      SDVariable var = xc.mul(xc).mean(true, 1); // (V, 1, C), biased as torch normalises with
      SDVariable inv = sd.math().rsqrt(var.add(eps));
      y = xc.mul(inv).reshape(-1, channels); // (V, B, C) -> (V*B, C)
      layers.add(new Layer(name,
          sd.identity(name + ".batch_mean", mean.reshape(views, channels)),
          sd.identity(name + ".batch_var", var.reshape(views, channels))));
    } else {
      SDVariable rm = constant(sd, name + ".running_mean", params);
      SDVariable rv = constant(sd, name + ".running_var", params);
      y = x.sub(rm).mul(sd.math().rsqrt(rv.add(eps)));
      layers.add(new Layer(name, null, null));
    }
    if (affine) {
      y = y.mul(param(sd, name + ".weight", params, trainable))
          .add(param(sd, name + ".bias", params, trainable));
    }
    return y;
  }

  /**
   * torch's running-statistics update for one training forward per view (in view order).
   *
   * @param runningMean {@code [C]}, updated in place
   * @param runningVar {@code [C]}, updated in place
   * @param batchMean {@code [V, C]}
   * @param batchVar {@code [V, C]} biased; converted to unbiased with {@code n / (n - 1)}
   * @param perViewBatch n, rows per view
   * @param momentum m (torch convention, 0.1 default)
   */
  public static void updateRunningStats(
      INDArray runningMean,
      INDArray runningVar,
      INDArray batchMean,
      INDArray batchVar,
      long perViewBatch,
      double momentum) {
    double unbias = perViewBatch > 1 ? perViewBatch / (double) (perViewBatch - 1) : 1.0;
    for (int v = 0; v < batchMean.rows(); v++) {
      INDArray m = batchMean.getRow(v).castTo(runningMean.dataType());
      INDArray s = batchVar.getRow(v).castTo(runningVar.dataType()).mul(unbias);
      runningMean.muli(1 - momentum).addi(m.muli(momentum));
      runningVar.muli(1 - momentum).addi(s.muli(momentum));
    }
  }

  static SDVariable param(SameDiff sd, String name, Map<String, INDArray> params, boolean trainable) {
    if (sd.hasVariable(name)) return sd.getVariable(name);
    INDArray a = params.get(name);
    if (a == null) throw new IllegalArgumentException("Missing parameter '" + name + "'");
    return trainable ? sd.var(name, a) : sd.constant(name, a);
  }

  static SDVariable constant(SameDiff sd, String name, Map<String, INDArray> params) {
    if (sd.hasVariable(name)) return sd.getVariable(name);
    INDArray a = params.get(name);
    if (a == null) throw new IllegalArgumentException("Missing buffer '" + name + "'");
    return sd.constant(name, a);
  }
}
