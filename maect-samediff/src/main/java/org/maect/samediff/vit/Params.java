package org.maect.samediff.vit;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Creates (or re-uses) trainable SameDiff variables named by their timm / MAE state-dict key, with
 * PyTorch shapes and MAE's initialisation: xavier-uniform for Linear (and the flattened patch-embedding
 * conv), zeros for biases, ones/zeros for LayerNorm, N(0, 0.02) for the CLS and mask tokens.
 *
 * <p>If a variable of that name already exists in the graph it is returned (after a shape check): two
 * encoder passes in one graph (e.g. two views) share their weights this way.
 */
public final class Params {
  private final SameDiff sd;
  private final DataType dataType;
  private final SplittableRandom rng;

  public Params(SameDiff sd, DataType dataType, long seed) {
    this.sd = sd;
    this.dataType = dataType;
    this.rng = new SplittableRandom(seed);
  }

  public SameDiff sd() {
    return sd;
  }

  public DataType dataType() {
    return dataType;
  }

  /** Xavier-uniform matrix {@code [out, in]} (bound sqrt(6 / (in + out)) on the 2-D view). */
  public SDVariable xavier(String name, long... shape) {
    long out = shape[0];
    long in = 1;
    for (int i = 1; i < shape.length; i++) in *= shape[i];
    double bound = Math.sqrt(6.0 / (in + out));
    return get(name, shape, () -> uniform(shape, bound));
  }

  public SDVariable zeros(String name, long... shape) {
    return get(name, shape, () -> Nd4j.zeros(dataType, shape));
  }

  public SDVariable ones(String name, long... shape) {
    return get(name, shape, () -> Nd4j.ones(dataType, shape));
  }

  /** N(0, std^2) (MAE uses std 0.02 for cls_token and mask_token). */
  public SDVariable normal(String name, double std, long... shape) {
    return get(name, shape, () -> {
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      double[] v = new double[Math.toIntExact(n)];
      for (int i = 0; i < v.length; i++) v[i] = gaussian() * std;
      return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dataType);
    });
  }

  private INDArray uniform(long[] shape, double bound) {
    long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = (rng.nextDouble() * 2 - 1) * bound;
    return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dataType);
  }

  private double gaussian() {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  private SDVariable get(String name, long[] shape, java.util.function.Supplier<INDArray> init) {
    if (sd.hasVariable(name)) {
      SDVariable v = sd.getVariable(name);
      long[] have = v.getArr() == null ? v.getShape() : v.getArr().shape();
      if (have != null && !Arrays.equals(have, shape)) {
        throw new IllegalStateException(
            "Variable " + name + " exists with shape " + Arrays.toString(have)
                + ", wanted " + Arrays.toString(shape));
      }
      return v;
    }
    return sd.var(name, init.get());
  }
}
