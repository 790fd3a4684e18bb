package org.maect.samediff.nnclr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.maect.core.config.NnclrHeadConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NNCLR projector and predictor (ml-jku/MAE-CT {@code ContrastiveHeadBase}), as SameDiff sub-graphs.
 *
 * <p>Projector ({@code torch.nn.Sequential} indices in the names): {@code 0} Linear(E, H, no bias), {@code 1}
 * BN(H), ReLU, {@code 3} Linear(H, H, no bias), {@code 4} BN(H), ReLU, {@code 6} Linear(H, O, no bias),
 * {@code 7} BN(O) affine. Predictor: {@code 0} Linear(O, H', no bias), {@code 1} BN(H'), ReLU, {@code 3}
 * Linear(H', O, no bias). Parameter names are the PyTorch state-dict keys under a prefix
 * ({@link #PROJECTOR}, {@link #PREDICTOR}, {@link #TARGET_PROJECTOR}); Linear weights are {@code [out, in]}.
 *
 * <p>Each BatchNorm normalises every view with that view's statistics (see {@link ComposedBatchNorm}).
 */
public final class NnclrHead {

  public static final String PROJECTOR = "projector";
  public static final String PREDICTOR = "predictor";
  /** EMA copy of the projector that feeds the queue during contrastive tuning (no gradient). */
  public static final String TARGET_PROJECTOR = "target_projector";

  private static final int[] PROJECTOR_LINEARS = {0, 3, 6};
  private static final int[] PROJECTOR_NORMS = {1, 4, 7};
  private static final int[] PREDICTOR_LINEARS = {0, 3};
  private static final int[] PREDICTOR_NORMS = {1};

  private NnclrHead() {}

  /**
   * Fresh projector parameters and buffers with PyTorch's default initialisation: Linear weights
   * {@code U(-1/sqrt(in), 1/sqrt(in))}, BN weight 1, bias 0, running mean 0, running var 1.
   */
  public static LinkedHashMap<String, INDArray> initProjector(
      String prefix, long inDim, NnclrHeadConfig cfg, DataType dt, SplittableRandom rng) {
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    long h = cfg.projHiddenDim();
    long o = cfg.outputDim();
    p.put(prefix + ".0.weight", uniform(new long[] {h, inDim}, 1 / Math.sqrt(inDim), dt, rng));
    putNorm(p, prefix + ".1", h, dt);
    p.put(prefix + ".3.weight", uniform(new long[] {h, h}, 1 / Math.sqrt(h), dt, rng));
    putNorm(p, prefix + ".4", h, dt);
    p.put(prefix + ".6.weight", uniform(new long[] {o, h}, 1 / Math.sqrt(h), dt, rng));
    putNorm(p, prefix + ".7", o, dt);
    return p;
  }

  /** Fresh predictor parameters and buffers (PyTorch default initialisation). */
  public static LinkedHashMap<String, INDArray> initPredictor(
      String prefix, NnclrHeadConfig cfg, DataType dt, SplittableRandom rng) {
    LinkedHashMap<String, INDArray> p = new LinkedHashMap<>();
    long h = cfg.predHiddenDim();
    long o = cfg.outputDim();
    p.put(prefix + ".0.weight", uniform(new long[] {h, o}, 1 / Math.sqrt(o), dt, rng));
    putNorm(p, prefix + ".1", h, dt);
    p.put(prefix + ".3.weight", uniform(new long[] {o, h}, 1 / Math.sqrt(h), dt, rng));
    return p;
  }

  /**
   * The reference's weight-decay exclusion (ml-jku/MAE-CT {@code OptimizerWrapper}): biases and all
   * parameters with at most one dimension (norm weights). Use with {@code AdamW.DEFAULT_NO_DECAY.or(...)}.
   */
  public static java.util.function.Predicate<String> noWeightDecay(Map<String, INDArray> params) {
    return n -> n.endsWith(".bias") || (params.containsKey(n) && params.get(n).rank() <= 1);
  }

  /** True for BatchNorm running buffers (not trained; copied, not averaged, by the projector EMA). */
  public static boolean isBuffer(String name) {
    return name.endsWith(".running_mean") || name.endsWith(".running_var");
  }

  /**
   * Adds the projector.
   *
   * @param x {@code [V*B, E]} pooled encoder features, view-major
   * @param trainable variables (true) or constants (the EMA target)
   * @param norms receives the BatchNorm layers (for the running-statistics update)
   * @return {@code [V*B, O]} (not normalised)
   */
  public static SDVariable projector(
      SameDiff sd,
      String prefix,
      SDVariable x,
      NnclrHeadConfig cfg,
      int views,
      ComposedBatchNorm.Mode mode,
      boolean trainable,
      Map<String, INDArray> params,
      List<ComposedBatchNorm.Layer> norms) {
    SDVariable h = x;
    long[] widths = {cfg.projHiddenDim(), cfg.projHiddenDim(), cfg.outputDim()};
    for (int i = 0; i < 3; i++) {
      h = linear(sd, prefix + "." + PROJECTOR_LINEARS[i], h, params, trainable); // (V*B, in) -> (V*B, out)
      h = ComposedBatchNorm.apply(sd, prefix + "." + PROJECTOR_NORMS[i], h, views, widths[i], true, trainable,
          cfg.bnEps(), mode, params, norms);
      if (i < 2) h = sd.nn().relu(h, 0);
    }
    return h;
  }

  /**
   * Adds the predictor.
   *
   * @param projected {@code [V*B, O]}
   * @return {@code [V*B, O]} (not normalised)
   */
  public static SDVariable predictor(
      SameDiff sd,
      String prefix,
      SDVariable projected,
      NnclrHeadConfig cfg,
      int views,
      ComposedBatchNorm.Mode mode,
      Map<String, INDArray> params,
      List<ComposedBatchNorm.Layer> norms) {
    SDVariable h = linear(sd, prefix + ".0", projected, params, true); // (V*B, O) -> (V*B, H')
    h = ComposedBatchNorm.apply(sd, prefix + ".1", h, views, cfg.predHiddenDim(), true, true, cfg.bnEps(), mode,
        params, norms);
    h = sd.nn().relu(h, 0);
    return linear(sd, prefix + ".3", h, params, true); // (V*B, H') -> (V*B, O)
  }

  /** Names of the BatchNorm layers of a projector / predictor with this prefix. */
  public static List<String> normNames(String prefix) {
    List<String> names = new ArrayList<>();
    int[] idx = prefix.endsWith(PREDICTOR) ? PREDICTOR_NORMS : PROJECTOR_NORMS;
    for (int i : idx) names.add(prefix + "." + i);
    return names;
  }

  /** Names of the Linear layers of a projector / predictor with this prefix. */
  static int[] linearIndices(String prefix) {
    return prefix.endsWith(PREDICTOR) ? PREDICTOR_LINEARS : PROJECTOR_LINEARS;
  }

  /** {@code y = x W^T}, no bias: {@code x: [N, in]}, {@code W: [out, in]}. */
  static SDVariable linear(
      SameDiff sd, String name, SDVariable x, Map<String, INDArray> params, boolean trainable) {
    SDVariable w = ComposedBatchNorm.param(sd, name + ".weight", params, trainable);
    return sd.mmul(x, w, false, true, false);
  }

  private static void putNorm(Map<String, INDArray> p, String name, long c, DataType dt) {
    p.put(name + ".weight", Nd4j.ones(dt, c));
    p.put(name + ".bias", Nd4j.zeros(dt, c));
    p.put(name + ".running_mean", Nd4j.zeros(dt, c));
    p.put(name + ".running_var", Nd4j.ones(dt, c));
  }

  private static INDArray uniform(long[] shape, double bound, DataType dt, SplittableRandom rng) {
    long n = 1;
    for (long s : shape) n *= s;
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = (rng.nextDouble() * 2 - 1) * bound;
    return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
  }
}
