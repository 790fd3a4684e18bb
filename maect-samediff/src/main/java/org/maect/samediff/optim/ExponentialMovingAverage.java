package org.maect.samediff.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exponential moving average of parameters: {@code target = m * target + (1 - m) * source} in place for blended
 * pairs, and {@code target = source} for copied pairs (buffers such as BatchNorm running statistics, which
 * MAE-CT copies into its EMA projector). Two native ops per blended pair, no allocation.
 */
public final class ExponentialMovingAverage {

  private record Pair(String name, INDArray source, INDArray target) {}

  private final List<Pair> blend = new ArrayList<>();
  private final List<Pair> copy = new ArrayList<>();

  /** Adds a pair to blend; shapes must match. */
  public ExponentialMovingAverage blend(String name, INDArray source, INDArray target) {
    blend.add(checked(name, source, target));
    return this;
  }

  /** Adds a pair copied verbatim at each update (running statistics and other buffers). */
  public ExponentialMovingAverage copy(String name, INDArray source, INDArray target) {
    copy.add(checked(name, source, target));
    return this;
  }

  /**
   * Pairs every array of {@code source} whose name passes {@code select} with {@code target.get(targetName(name))};
   * names passing {@code isBuffer} are copied, the others blended. A missing target names the variable.
   */
  public static ExponentialMovingAverage of(Map<String, INDArray> source, Map<String, INDArray> target,
      Predicate<String> select, Predicate<String> isBuffer, Function<String, String> targetName) {
    ExponentialMovingAverage ema = new ExponentialMovingAverage();
    for (Map.Entry<String, INDArray> e : source.entrySet()) {
      String n = e.getKey();
      if (!select.test(n)) continue;
      String tn = targetName.apply(n);
      INDArray t = target.get(tn);
      if (t == null) throw new IllegalArgumentException("EMA target has no array '" + tn + "' for source '" + n + "'");
      if (isBuffer.test(n)) ema.copy(n, e.getValue(), t);
      else ema.blend(n, e.getValue(), t);
    }
    return ema;
  }

  /** Arrays of a graph's trainable variables and constants (frozen weights, buffers) by name. */
  public static Map<String, INDArray> arraysOf(SameDiff sd) {
    Map<String, INDArray> m = new java.util.LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
        INDArray a = v.getArr();
        if (a != null) m.put(v.name(), a);
      }
    }
    return m;
  }

  /** Sets every target to its source (start of EMA). */
  public void initialise() {
    for (Pair p : blend) p.target.assign(p.source);
    for (Pair p : copy) p.target.assign(p.source);
  }

  /** One EMA update with momentum {@code m} in [0, 1]. */
  public void update(double m) {
    if (!(m >= 0 && m <= 1)) throw new IllegalArgumentException("Invalid EMA momentum (must be in [0,1]): " + m);
    for (Pair p : blend) {
      p.target.muli(m);
      if (p.source.dataType() == p.target.dataType()) {
        Nd4j.getBlasWrapper().level1().axpy(p.target.length(), 1.0 - m, p.source, p.target);
      } else {
        p.target.addi(p.source.castTo(p.target.dataType()).muli(1.0 - m));
      }
    }
    for (Pair p : copy) p.target.assign(p.source);
  }

  /** Number of blended and copied pairs. */
  public int size() {
    return blend.size() + copy.size();
  }

  private static Pair checked(String name, INDArray s, INDArray t) {
    if (!Arrays.equals(s.shape(), t.shape())) {
      throw new IllegalArgumentException("EMA pair '" + name + "': source shape " + Arrays.toString(s.shape())
          + " != target shape " + Arrays.toString(t.shape()));
    }
    if (s == t) throw new IllegalArgumentException("EMA pair '" + name + "': source and target are the same array");
    return new Pair(name, s, t);
  }
}
