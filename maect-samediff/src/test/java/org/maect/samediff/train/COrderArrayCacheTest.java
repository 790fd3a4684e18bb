package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link COrderArrayCache}: from the second pass on, SameDiff's own cache hands the Linear's {@code xw_plus_b}
 * an array flagged {@code 'f'} with {@code 'c'} strides (the slow mixed-order elementwise path); ours keeps it
 * {@code 'c'}. Values are the same either way.
 */
class COrderArrayCacheTest {

  /** Records the ordering flag of every {@code xw_plus_b} output. */
  static final class Orders extends BaseListener {
    final List<Character> seen = new ArrayList<>();

    @Override
    public boolean isActive(Operation operation) {
      return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
        INDArray[] outputs) {
      if (op.getOp().opName().equals("xw_plus_b")) seen.add(outputs[0].ordering());
    }
  }

  /** {@code n} evenly spaced values from {@code lo} to {@code hi} in the given shape. */
  static INDArray values(int n, double lo, double hi, long... shape) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * i / (n - 1);
    return Nd4j.create(v, shape, DataType.DOUBLE);
  }

  static SameDiff graph() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
    SDVariable w = sd.var("w", values(12, -1, 1, 4, 3));
    SDVariable b = sd.var("b", values(4, 0, 1, 4));
    SDVariable h = sd.nn().linear(x, w.permute(1, 0), b).mul(0.5).add(sd.nn().linear(x, w.permute(1, 0), b));
    sd.identity("out", sd.math().square(h).sum(1).mul(2.0));
    return sd;
  }

  static List<Character> run(SameDiff sd, boolean ours, List<double[]> values) {
    Orders orders = new Orders();
    sd.setListeners(orders);
    if (ours) COrderArrayCache.install(sd);
    else assertThat(sd.getSessions().values()).allMatch(s -> !(s.getMmgr() instanceof COrderArrayCache));
    INDArray x = values(15, -2, 3, 5, 3);
    for (int pass = 0; pass < 3; pass++) {
      INDArray out = sd.output(Map.of("x", x), "out").get("out");
      values.add(out.toDoubleVector());
    }
    return orders.seen;
  }

  @Test
  void keepsRowMajorOrderFromTheSecondPassOnWithTheSameValues() {
    List<double[]> stockValues = new ArrayList<>();
    List<Character> stock = run(graph(), false, stockValues);
    List<double[]> oursValues = new ArrayList<>();
    SameDiff sd = graph();
    List<Character> ours = run(sd, true, oursValues);
    assertThat(stock.subList(0, 2)).containsOnly('c');
    assertThat(stock.subList(2, stock.size())).as("SameDiff M2.1's cache re-flags cached arrays").contains('f');
    assertThat(ours).containsOnly('c');
    assertThat(sd.getSessions().values().iterator().next().getMmgr()).isInstanceOf(COrderArrayCache.class);
    for (int i = 0; i < stockValues.size(); i++) assertThat(oursValues.get(i)).containsExactly(stockValues.get(i));
  }

  @Test
  void installKeepsTheCacheCapAndIsIdempotent() {
    SameDiff sd = graph();
    ArrayCacheMemoryMgr first = COrderArrayCache.install(sd);
    first.setMaxCacheBytes(123456);
    assertThat(COrderArrayCache.install(sd)).isSameAs(first);
    assertThat(first.getMaxCacheBytes()).isEqualTo(123456);
  }
}
