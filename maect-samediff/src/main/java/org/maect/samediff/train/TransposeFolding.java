package org.maect.samediff.train;

import static org.maect.samediff.train.ExecutionPlan.inputs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.api.ops.impl.transforms.custom.XwPlusB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the matrix transposes around the products of an {@link ExecutionPlan} into the products' transpose flags,
 * so that no transposed copy is made. {@code org.maect.samediff.vit.Linear} keeps its weight in PyTorch's
 * {@code [out, in]} layout and multiplies by {@code permute(W, 1, 0)}; SameDiff then copies the weight forward and
 * transposes its gradient backward, two copies of every weight per step (119 permutes, ~28 ms of a ViT-Ti MAE step,
 * docs/PERFORMANCE.md). Two rewrites of the op order, both exact (the same products, only read transposed):
 * <ul>
 *   <li><b>transposed reads</b>: a {@code permute(1, 0)} of W whose every reader is a {@code matmul} (without
 *       transposed result, alpha 1, beta 0) or reads it as {@code xw_plus_b}'s weight: each matmul reads W with the
 *       operand's transpose flag flipped, each {@code xw_plus_b(x, W^T, b)} reads W with its own transpose flag
 *       (libnd4j 1.0.0-M2.1: integer argument 0 = 1, {@code bTranspose}); the permute is dropped;
 *   <li><b>transposed products</b>: a {@code permute(1, 0)} of a matmul's result that nothing else reads is that
 *       product transposed: {@code (op(A) op(B))^T = op(B)^T op(A)^T}, one matmul of B and A with both flags
 *       flipped, writing the permute's output.
 * </ul>
 * The new ops are libnd4j's own {@code matmul} and {@code xw_plus_b} (their BLAS calls take the flags, the weight is
 * read in place; any backend). Only FLOAT transposes are folded:
 * a DOUBLE graph (gradient checks) runs SameDiff's ops as they are, like {@link SiteFusion}.
 * {@code -Dmaect.samediff.fold=false} keeps the transposes.
 */
final class TransposeFolding {
  private static final Logger log = LoggerFactory.getLogger(TransposeFolding.class);

  /** System property: {@code -Dmaect.samediff.fold=false} keeps every transpose. */
  static final String PROPERTY = "maect.samediff.fold";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private TransposeFolding() {}

  /** {@code order} with the transposes folded (the same list if there is none to fold). */
  static List<SameDiffOp> apply(SameDiff fn, List<SameDiffOp> order, List<String> outputs) {
    if (!ENABLED) return order;
    Set<String> requested = new HashSet<>(outputs);
    List<SameDiffOp> ops = new ArrayList<>(order);
    int products = 0;
    int reads = 0;
    // transposed products first: the matmuls they make can then be readers of transposed weights
    Map<String, Integer> producer = producers(ops);
    Map<String, List<Integer>> readers = readers(ops);
    for (int i = 0; i < ops.size(); i++) {
      SameDiffOp t = ops.get(i);
      if (!isTranspose(fn, t)) continue;
      String g = t.getInputsToOp().get(0);
      Integer p = producer.get(g);
      if (p == null || requested.contains(g) || readers.getOrDefault(g, List.of()).size() != 1) continue;
      SameDiffOp m = ops.get(p);
      long[] flags = plainMatmulFlags(m);
      if (flags == null || m.getInputsToOp().size() != 2) continue;
      List<String> in = m.getInputsToOp();
      ops.set(i, matmul(t.getName(), in.get(1), in.get(0), flags[1] == 0, flags[0] == 0, t.getOutputsOfOp()));
      ops.set(p, null);
      products++;
    }
    ops.removeIf(o -> o == null);

    readers = readers(ops);
    List<Integer> dropped = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      SameDiffOp t = ops.get(i);
      if (!isTranspose(fn, t)) continue;
      String wt = t.getOutputsOfOp().get(0);
      String w = t.getInputsToOp().get(0);
      List<Integer> rs = readers.getOrDefault(wt, List.of());
      if (rs.isEmpty() || requested.contains(wt)) continue;
      boolean all = true;
      for (int r : rs) all &= foldableReader(ops.get(r), wt);
      if (!all) continue;
      for (int r : rs) ops.set(r, readThrough(ops.get(r), wt, w));
      dropped.add(i);
      reads++;
    }
    for (int i : dropped) ops.set(i, null);
    ops.removeIf(o -> o == null);
    if (products == 0 && reads == 0) return order;
    log.debug("folded {} transposed products and {} transposed weights into their products", products, reads);
    return ops;
  }

  private static Map<String, Integer> producers(List<SameDiffOp> ops) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      for (String o : ops.get(i).getOutputsOfOp()) m.put(o, i);
    }
    return m;
  }

  private static Map<String, List<Integer>> readers(List<SameDiffOp> ops) {
    Map<String, List<Integer>> m = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      for (String in : inputs(ops.get(i))) m.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
    }
    return m;
  }

  /** A {@code permute(1, 0)} of one FLOAT input with static dimensions. */
  private static boolean isTranspose(SameDiff fn, SameDiffOp op) {
    if (op.getOp().getClass() != Permute.class || inputs(op).size() != 1 || op.getOutputsOfOp().size() != 1) {
      return false;
    }
    SDVariable in = fn.getVariable(inputs(op).get(0));
    if (in == null || in.dataType() != DataType.FLOAT) return false;
    long[] dims = ((Permute) op.getOp()).iArgs();
    return dims.length == 2 && dims[0] == 1 && dims[1] == 0;
  }

  /** The transpose flags {@code [tA, tB]} of a matmul without transposed result, alpha 1 and beta 0; else null. */
  private static long[] plainMatmulFlags(SameDiffOp op) {
    if (op.getOp().getClass() != Mmul.class) return null;
    Mmul m = (Mmul) op.getOp();
    long[] ia = m.iArgs();
    double[] ta = m.tArgs();
    if (ia.length > 2 && ia[2] != 0) return null;
    if (ta.length > 0 && ta[0] != 1.0) return null;
    if (ta.length > 1 && ta[1] != 0.0) return null;
    return new long[] {ia.length > 0 && ia[0] != 0 ? 1 : 0, ia.length > 1 && ia[1] != 0 ? 1 : 0};
  }

  private static boolean foldableReader(SameDiffOp r, String wt) {
    List<String> in = inputs(r);
    if (r.getOp().getClass() == XwPlusB.class) {
      // only in its weight's place and without a transpose argument of its own
      return in.size() == 3 && wt.equals(in.get(1)) && !wt.equals(in.get(0)) && !wt.equals(in.get(2))
          && ((XwPlusB) r.getOp()).iArgs().length == 0;
    }
    return plainMatmulFlags(r) != null && in.size() == 2;
  }

  private static SameDiffOp readThrough(SameDiffOp r, String wt, String w) {
    List<String> in = inputs(r);
    if (r.getOp().getClass() == XwPlusB.class) {
      XwPlusB op = new XwPlusB();
      op.addIArgument(1); // bTranspose: y = x W^T + b
      return SameDiffOp.builder().name(r.getName()).op(op).inputsToOp(List.of(in.get(0), w, in.get(2)))
          .outputsOfOp(new ArrayList<>(r.getOutputsOfOp())).build();
    }
    long[] f = plainMatmulFlags(r);
    boolean a = wt.equals(in.get(0));
    boolean b = wt.equals(in.get(1));
    return matmul(r.getName(), a ? w : in.get(0), b ? w : in.get(1), (f[0] != 0) != a, (f[1] != 0) != b,
        r.getOutputsOfOp());
  }

  /** A libnd4j {@code matmul} of {@code a} and {@code b} with these flags, outside any graph. */
  private static SameDiffOp matmul(String name, String a, String b, boolean ta, boolean tb, List<String> outputs) {
    Mmul m = new Mmul();
    m.addIArgument(ta ? 1 : 0, tb ? 1 : 0, 0);
    m.addTArgument(1.0, 0.0);
    return SameDiffOp.builder().name(name).op(m).inputsToOp(List.of(a, b)).outputsOfOp(new ArrayList<>(outputs))
        .build();
  }

}
