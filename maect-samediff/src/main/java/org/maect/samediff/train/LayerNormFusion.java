package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces, in an {@link ExecutionPlan}'s op order, each LayerNorm built by {@code org.maect.samediff.vit.LayerNorm}
 * (its ops live in the name scope {@link FusedLayerNorm#scope}) and the backward ops SameDiff derived from it by
 * two {@link FusedOp}s computed by {@link LayerNormKernels}: one pass over {@code [N, D]} forward, one backward,
 * instead of ~12 and ~25 ops.
 *
 * <p>How a site is found, from the graph alone:
 * <ul>
 *   <li><b>forward</b> F: the ops named {@code <scope>/...}; their outputs other than {@code <scope>/out} (y) are the
 *       site's intermediates I; the one input of F that is neither in I nor the site's {@code .weight} (g) /
 *       {@code .bias} (b) is x; eps is the scalar of F's one {@code add_scalar};
 *   <li><b>backward</b> R: the other ops that read an intermediate, then every op that reads an output of R and
 *       whose gradient inputs all come from R. R must read exactly one gradient from outside (dy). Each output of R
 *       read outside R must be g's or b's gradient, or the gradient a {@code *_bp} op computes for its input x (x's
 *       gradient arrives in parts: the fused op writes the whole into the first part and zeros into the others);
 *       the fused backward op takes the place of the first op of R that reads dy.
 *   <li>F becomes one op if, after that, nothing but y is read outside F (an inference pass, or a pass whose
 *       backward was fused).
 * </ul>
 * A site that does not fit is left as it is (logged at debug). Ops left without readers are dropped. Only FLOAT
 * sites are fused, and only when the Vector API is loaded ({@code -Dmaect.samediff.fuse=false} switches fusion
 * off).
 */
final class LayerNormFusion {
  private static final Logger log = LoggerFactory.getLogger(LayerNormFusion.class);

  /** System property: {@code -Dmaect.samediff.fuse=false} keeps the composed LayerNorm ops. */
  static final String PROPERTY = "maect.samediff.fuse";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private LayerNormFusion() {}

  /** {@code order} with every LayerNorm site that fits fused (the same list if none does). */
  static List<SameDiffOp> apply(SameDiff fn, List<SameDiffOp> order, List<String> outputs) {
    if (!ENABLED || !PlanKernels.vectorAvailable()) return order;
    Set<String> scopes = new LinkedHashSet<>();
    String marker = FusedLayerNorm.SCOPE_SUFFIX + "/";
    for (SameDiffOp op : order) {
      int at = op.getName().indexOf(marker);
      if (at > 0) scopes.add(op.getName().substring(0, at + FusedLayerNorm.SCOPE_SUFFIX.length()));
    }
    if (scopes.isEmpty()) return order;
    List<SameDiffOp> cur = order;
    Set<String> requested = new HashSet<>(outputs);
    int fused = 0;
    for (String scope : scopes) {
      try {
        List<SameDiffOp> next = fuseSite(fn, cur, requested, scope);
        if (next != cur) fused++;
        cur = next;
      } catch (Unfit e) {
        log.debug("LayerNorm {} not fused: {}", scope, e.getMessage());
      }
    }
    if (fused == 0) return order;
    return dropUnread(cur, requested);
  }

  /** A site that does not fit the pattern (the site keeps its ops). */
  private static final class Unfit extends Exception {
    Unfit(String message) {
      super(message, null, false, false);
    }
  }

  private static List<SameDiffOp> fuseSite(SameDiff fn, List<SameDiffOp> ops, Set<String> requested, String scope)
      throws Unfit {
    String prefix = scope.substring(0, scope.length() - FusedLayerNorm.SCOPE_SUFFIX.length());
    String y = scope + "/" + FusedLayerNorm.OUTPUT;
    String g = prefix + ".weight";
    String b = prefix + ".bias";
    Set<Integer> fwd = new LinkedHashSet<>();
    Set<String> internal = new HashSet<>();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).getName().startsWith(scope + "/")) {
        fwd.add(i);
        internal.addAll(ops.get(i).getOutputsOfOp());
        for (String in : ins(ops.get(i))) {
          if (in.startsWith(scope + "/")) internal.add(in); // the site's constants
        }
      }
    }
    if (!internal.contains(y)) throw new Unfit("no op computes " + y);
    internal.remove(y);
    String x = null;
    Double eps = null;
    for (int i : fwd) {
      SameDiffOp op = ops.get(i);
      if (op.getOp() instanceof ScalarAdd sa) {
        if (eps != null) throw new Unfit("two add_scalar ops");
        eps = sa.scalar().getDouble(0);
      }
      for (String in : ins(op)) {
        if (internal.contains(in) || in.equals(g) || in.equals(b)) continue;
        if (x != null && !x.equals(in)) throw new Unfit("two outside inputs, " + x + " and " + in);
        x = in;
      }
    }
    if (x == null || eps == null) throw new Unfit("no input or no epsilon");
    for (String v : List.of(x, g, b, y)) {
      SDVariable var = fn.getVariable(v);
      if (var == null || var.dataType() != DataType.FLOAT) throw new Unfit(v + " is not a FLOAT variable");
    }

    // gradient-dependent values: outputs of *_bp ops and the gradient marker, and everything computed from them
    Set<String> grad = new HashSet<>();
    for (SameDiffOp op : ops) {
      boolean g0 = op.getOp() instanceof GradientBackwardsMarker || op.getOp().opName().endsWith("_bp");
      if (!g0) {
        for (String in : ins(op)) {
          if (grad.contains(in)) {
            g0 = true;
            break;
          }
        }
      }
      if (g0) grad.addAll(op.getOutputsOfOp());
    }

    List<SameDiffOp> out = new ArrayList<>(ops);
    Set<Integer> back = new LinkedHashSet<>();
    Set<String> backOut = new HashSet<>();
    for (int i = 0; i < ops.size(); i++) {
      if (fwd.contains(i)) continue;
      SameDiffOp op = ops.get(i);
      boolean readsInternal = false;
      boolean readsBack = false;
      boolean foreignGrad = false;
      for (String in : ins(op)) {
        if (internal.contains(in)) readsInternal = true;
        if (backOut.contains(in)) readsBack = true;
        else if (grad.contains(in)) foreignGrad = true;
      }
      if (readsInternal || (readsBack && !foreignGrad)) {
        back.add(i);
        backOut.addAll(op.getOutputsOfOp());
      }
    }
    if (!back.isEmpty()) {
      String dy = null;
      int first = -1;
      for (int i : back) {
        for (String in : ins(ops.get(i))) {
          if (grad.contains(in) && !backOut.contains(in)) {
            if (dy != null && !dy.equals(in)) throw new Unfit("two outside gradients, " + dy + " and " + in);
            dy = in;
            if (first < 0) first = i;
          }
        }
      }
      if (dy == null) throw new Unfit("backward ops read no gradient");
      // outputs of the backward ops read elsewhere, with their roles
      Map<String, FusedOp.Role> escaping = new LinkedHashMap<>();
      Map<String, Integer> producer = new HashMap<>();
      for (int i : back) {
        for (String o : ops.get(i).getOutputsOfOp()) producer.put(o, i);
      }
      for (int i = 0; i < ops.size(); i++) {
        if (back.contains(i)) continue;
        for (String in : ins(ops.get(i))) {
          if (backOut.contains(in)) escaping.put(in, null);
        }
      }
      for (String r : requested) {
        if (backOut.contains(r)) escaping.put(r, null);
      }
      for (String e : new ArrayList<>(escaping.keySet())) {
        FusedOp.Role role;
        if (e.equals(g + "-grad")) {
          role = FusedOp.Role.DG;
        } else if (e.equals(b + "-grad")) {
          role = FusedOp.Role.DB;
        } else {
          SameDiffOp p = ops.get(producer.get(e));
          int k = p.getOutputsOfOp().indexOf(e);
          List<String> pin = ins(p);
          if (!p.getOp().opName().endsWith("_bp") || k >= pin.size() - 1 || !pin.get(k).equals(x)) {
            throw new Unfit("backward output " + e + " of " + p.getName() + " is not a gradient of x, g or b");
          }
          role = FusedOp.Role.DX;
        }
        escaping.put(e, role);
      }
      FusedOp.Role[] roles = escaping.values().toArray(new FusedOp.Role[0]);
      FusedOp op = new FusedOp("fused_layer_norm_bp", PlanKernels.layerNormBp(eps, roles), roles);
      SameDiffOp sdo = SameDiffOp.builder().name(scope + "/fused_bp").op(op).inputsToOp(List.of(x, g, dy))
          .outputsOfOp(new ArrayList<>(escaping.keySet())).build();
      out.set(first, sdo);
      for (int i : back) {
        if (i != first) out.set(i, null);
      }
    }
    // the forward, if only y is read outside it now
    int yAt = -1;
    boolean alone = true;
    for (int i = 0; i < out.size() && alone; i++) {
      SameDiffOp op = out.get(i);
      if (op == null) continue;
      if (fwd.contains(i)) {
        if (op.getOutputsOfOp().contains(y)) yAt = i;
        continue;
      }
      for (String in : ins(op)) {
        if (internal.contains(in)) {
          alone = false;
          break;
        }
      }
    }
    for (String r : requested) {
      if (internal.contains(r)) alone = false;
    }
    if (alone && yAt >= 0) {
      FusedOp op = new FusedOp("fused_layer_norm", PlanKernels.layerNorm(eps),
          new FusedOp.Role[] {FusedOp.Role.Y});
      SameDiffOp sdo = SameDiffOp.builder().name(scope + "/fused").op(op).inputsToOp(List.of(x, g, b))
          .outputsOfOp(List.of(y)).build();
      for (int i : fwd) out.set(i, null);
      out.set(yAt, sdo);
    } else if (back.isEmpty()) {
      throw new Unfit("intermediates are read outside the site");
    }
    List<SameDiffOp> result = new ArrayList<>(out.size());
    for (SameDiffOp op : out) {
      if (op != null) result.add(op);
    }
    return result;
  }

  /** Drops ops none of whose outputs is read or requested (the parts of a site only its removed ops read). */
  private static List<SameDiffOp> dropUnread(List<SameDiffOp> ops, Set<String> requested) {
    List<SameDiffOp> cur = ops;
    boolean changed = true;
    while (changed) {
      Set<String> read = new HashSet<>(requested);
      for (SameDiffOp op : cur) read.addAll(ins(op));
      List<SameDiffOp> next = new ArrayList<>(cur.size());
      for (SameDiffOp op : cur) {
        boolean used = false;
        for (String o : op.getOutputsOfOp()) {
          if (read.contains(o)) {
            used = true;
            break;
          }
        }
        if (used) next.add(op);
      }
      changed = next.size() != cur.size();
      cur = next;
    }
    return cur;
  }

  private static List<String> ins(SameDiffOp op) {
    return op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
  }
}
