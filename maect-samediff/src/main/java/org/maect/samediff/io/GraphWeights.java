package org.maect.samediff.io;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.Tensor;
import org.maect.core.io.weights.WeightFileException;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies timm-named tensors into SameDiff variables of the same name (and out again), shape-checked. */
public final class GraphWeights {

  /**
   * Largest |file - ours| accepted for the fixed sin-cos tables: MAE computes them in float64 and stores float32,
   * so equal tables differ by float32 rounding (~1e-7); anything else is a different (e.g. learned) embedding.
   */
  public static final double FIXED_TABLE_TOLERANCE = 1e-5;

  private GraphWeights() {}

  public static INDArray toArray(Tensor t, DataType type) {
    long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
    return Nd4j.create(t.data(), shape, 'c').castTo(type);
  }

  public static Tensor toTensor(INDArray a) {
    INDArray f = a.castTo(DataType.FLOAT).dup('c');
    int[] shape = Arrays.stream(a.shape()).mapToInt(Math::toIntExact).toArray();
    return new Tensor(shape, f.data().asFloat());
  }

  /** Float32 copies of the named tensors (all of them when {@code names} is null). */
  public static Map<String, INDArray> toArrays(StateDict w, Collection<String> names, DataType type) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String n : names == null ? w.names() : names) m.put(n, toArray(w.get(n), type));
    return m;
  }

  /**
   * Assigns every name in {@code names} from {@code w} into the graph's array of that name. All names are
   * checked (present in both, same shape) before anything is written.
   *
   * @return number of arrays assigned
   */
  public static int assign(SameDiff sd, StateDict w, Collection<String> names) throws WeightFileException {
    StringBuilder problems = new StringBuilder();
    for (String n : names) {
      if (!w.contains(n)) {
        problems.append("\n  missing from the weights: ").append(n);
      } else if (!sd.hasVariable(n) || sd.getArrForVarName(n) == null) {
        problems.append("\n  not a variable of the graph: ").append(n);
      } else {
        long[] g = sd.getArrForVarName(n).shape();
        long[] f = Arrays.stream(w.get(n).shape()).asLongStream().toArray();
        if (!Arrays.equals(g, f)) {
          problems.append("\n  shape of ").append(n).append(": weights ").append(Arrays.toString(f))
              .append(", graph ").append(Arrays.toString(g));
        }
      }
    }
    if (problems.length() > 0) throw new WeightFileException("Cannot load weights into the graph:" + problems);
    for (String n : names) {
      INDArray dst = sd.getArrForVarName(n);
      dst.assign(toArray(w.get(n), dst.dataType()));
    }
    return names.size();
  }

  /**
   * Checks a stored fixed table (e.g. {@code pos_embed}) equals ours; our graphs compute it and do not load it.
   *
   * @return the largest absolute difference
   */
  public static double checkFixedTable(String name, Tensor stored, INDArray ours) throws WeightFileException {
    Tensor o = toTensor(ours);
    if (!Arrays.equals(stored.shape(), o.shape())) {
      throw new WeightFileException(
          name + " has shape " + stored.shapeString() + " but the fixed sin-cos table is " + o.shapeString());
    }
    double worst = 0;
    for (int i = 0; i < o.numel(); i++) worst = Math.max(worst, Math.abs(stored.data()[i] - o.data()[i]));
    if (!(worst <= FIXED_TABLE_TOLERANCE)) {
      throw new WeightFileException(
          name + " differs from the fixed 2-D sin-cos table by up to " + worst
              + ": maect encoders use the fixed table, so a learned or different positional embedding cannot be imported");
    }
    return worst;
  }
}
