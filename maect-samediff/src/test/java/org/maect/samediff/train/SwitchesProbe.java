package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.maect.samediff.vit.Gelu;
import org.maect.samediff.vit.LayerNorm;
import org.maect.samediff.vit.Linear;
import org.maect.samediff.vit.Params;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Run by {@link SwitchesTest} in a JVM of its own (the switches are read once per JVM): plans a FLOAT training pass
 * through a Linear, a LayerNorm and a GELU, and prints the op types the plan runs ({@code ops=...}), its Java
 * kernels ({@code kernels=...}) and the loss and the weight gradient's L2 norm ({@code loss=... grad=...}).
 */
public final class SwitchesProbe {
  private SwitchesProbe() {}

  public static void main(String[] args) {
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.FLOAT, 3);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, 24, 16);
    SDVariable h = Gelu.apply("blk.act", LayerNorm.apply(p, "blk.norm", Linear.apply(p, "fc", x, 16, 32), 32));
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, 24, 32);
    h.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    Map<String, INDArray> ph = Map.of("x", TestArrays.random(1, 24, 16), "r", TestArrays.random(2, 24, 32));
    List<String> names = List.of("loss", "fc.weight-grad");
    TreeSet<String> ops = new TreeSet<>();
    try (ExecutionPlan plan = ExecutionPlan.record(fn, ph, names).plan()) {
      OpTypeRecorder rec = new OpTypeRecorder();
      fn.setListeners(rec);
      Map<String, INDArray> out = plan.run(ph);
      fn.setListeners();
      ops.addAll(rec.types);
      System.out.println("ops=" + String.join(",", ops));
      System.out.println("kernels=" + String.join(",", new ArrayList<>(plan.kernels().keySet())));
      System.out.println("loss=" + out.get("loss").getDouble(0) + " grad=" + out.get("fc.weight-grad").norm2Number());
    }
  }
}
