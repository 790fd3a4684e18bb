package org.maect.samediff.train;

import static org.maect.samediff.train.ExecutionPlan.inputs;

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
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces, in an {@link ExecutionPlan}'s op order, each LayerNorm, GELU and attention core built by
 * {@code org.maect.samediff.vit.LayerNorm} / {@code Gelu} / {@code Attention} (their ops live in a name scope,
 * {@link FusionScopes}), with the backward ops SameDiff derived from them, by two {@link FusedOp}s: one pass over the
 * activations forward and one backward ({@link LayerNormKernels}, {@link GeluKernels}, {@link AttentionKernels}),
 * instead of ~12 + ~25 (LayerNorm), 5 + ~11 (GELU) and 9 + ~14 (attention) ops.
 *
 * <p>How a site is found, from the graph alone:
 * <ul>
 *   <li><b>forward</b> F: the ops named {@code <scope>/...}; their outputs other than {@code <scope>/out} (y) are the
 *       site's intermediates I; the one input of F that is neither in I nor a LayerNorm's {@code .weight} (g) /
 *       {@code .bias} (b) is x; a LayerNorm's eps is the scalar of F's one {@code add_scalar};
 *   <li><b>backward</b> R: the other ops that read an intermediate, then every op that reads an output of R and
 *       whose gradient inputs all come from R or are y's gradient ({@code <y>-grad}). R must read exactly one
 *       gradient from outside (dy, y's gradient; the sites are built so that the gradient op of their last op reads
 *       an intermediate or dy by name), and besides gradients only the site's values and inputs or their shapes.
 *       R computes gradients from dy back to the site's inputs, so each output of R read outside R is g's or b's
 *       gradient (by name) or a part of x's (x's gradient arrives in parts: the fused op writes the whole into the
 *       first part and zeros into the others); the fused backward op takes the place of the first op of R that
 *       reads dy.
 *   <li>F becomes one op if, after that, nothing but y is read outside F (an inference pass, or a pass whose
 *       backward was fused).
 * </ul>
 * A site that does not fit is left as it is (logged at debug). Ops left without readers are dropped. Only FLOAT
 * sites are fused, and only when the Vector API is loaded ({@code -Dmaect.samediff.fuse=false} switches fusion
 * off).
 */
final class SiteFusion {
  private static final Logger log = LoggerFactory.getLogger(SiteFusion.class);

  /** System property: {@code -Dmaect.samediff.fuse=false} keeps the composed LayerNorm and GELU ops. */
  static final String PROPERTY = "maect.samediff.fuse";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private SiteFusion() {}

  /** {@code order} with every site that fits fused (the same list if none does). */
  static List<SameDiffOp> apply(SameDiff fn, List<SameDiffOp> order, List<String> outputs) {
    if (!ENABLED || !PlanKernels.vectorAvailable()) return order;
    Set<String> scopes = new LinkedHashSet<>();
    for (SameDiffOp op : order) {
      String name = op.getName();
      for (String suffix : List.of(FusionScopes.LAYER_NORM, FusionScopes.GELU)) {
        int at = name.indexOf(suffix + "/");
        if (at > 0) scopes.add(name.substring(0, at + suffix.length()));
      }
      int at = name.indexOf(FusionScopes.ATTENTION);
      int end = at > 0 ? name.indexOf('/', at) : -1;
      if (end > 0) scopes.add(name.substring(0, end));
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
        log.debug("{} not fused: {}", scope, e.getMessage());
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

  /** The kinds of site, by the suffix of their scope. */
  private enum Kind { LAYER_NORM, GELU, ATTENTION }

  /**
   * A site's scope read once: its kind, the prefix of its parameters and, for attention, the heads and tokens the
   * scope name carries; makes the site's fused ops.
   */
  private record Site(Kind kind, String scope, String prefix, int heads, int tokens) {
    static Site of(String scope) throws Unfit {
      if (scope.endsWith(FusionScopes.LAYER_NORM)) {
        return new Site(Kind.LAYER_NORM, scope, strip(scope, FusionScopes.LAYER_NORM), 0, 0);
      }
      if (scope.endsWith(FusionScopes.GELU)) {
        return new Site(Kind.GELU, scope, strip(scope, FusionScopes.GELU), 0, 0);
      }
      int at = scope.lastIndexOf(FusionScopes.ATTENTION);
      String[] hs = scope.substring(at + FusionScopes.ATTENTION.length()).split("_s");
      try {
        return new Site(Kind.ATTENTION, scope, scope.substring(0, at), Integer.parseInt(hs[0]),
            Integer.parseInt(hs[1]));
      } catch (RuntimeException e) {
        throw new Unfit("cannot read heads and tokens from the scope name");
      }
    }

    private static String strip(String scope, String suffix) {
      return scope.substring(0, scope.length() - suffix.length());
    }

    String y() {
      return scope + "/" + FusionScopes.OUTPUT;
    }

    /** A LayerNorm's weight (null for the other kinds: they have no parameters). */
    String g() {
      return kind == Kind.LAYER_NORM ? prefix + ".weight" : null;
    }

    String b() {
      return kind == Kind.LAYER_NORM ? prefix + ".bias" : null;
    }

    SameDiffOp forward(String x, double eps) {
      FusedOp.Role[] y = {kind == Kind.ATTENTION ? FusedOp.Role.MERGED : FusedOp.Role.Y};
      FusedOp op = switch (kind) {
        case LAYER_NORM -> new FusedOp("fused_layer_norm", PlanKernels.layerNorm(eps), y);
        case GELU -> new FusedOp("fused_gelu", PlanKernels.gelu(), y);
        case ATTENTION -> new FusedOp("fused_attention", PlanKernels.attention(tokens, heads), y);
      };
      List<String> in = kind == Kind.LAYER_NORM ? List.of(x, g(), b()) : List.of(x);
      return SameDiffOp.builder().name(scope + "/fused").op(op).inputsToOp(in).outputsOfOp(List.of(y())).build();
    }

    SameDiffOp backward(String x, String dy, double eps, Map<String, FusedOp.Role> outputs) {
      FusedOp.Role[] roles = outputs.values().toArray(new FusedOp.Role[0]);
      FusedOp op = switch (kind) {
        case LAYER_NORM -> new FusedOp("fused_layer_norm_bp", PlanKernels.layerNormBp(eps, roles), roles);
        case GELU -> new FusedOp("fused_gelu_bp", PlanKernels.geluBp(roles.length), roles);
        case ATTENTION ->
            new FusedOp("fused_attention_bp", PlanKernels.attentionBp(tokens, heads, roles.length), roles);
      };
      List<String> in = kind == Kind.LAYER_NORM ? List.of(x, g(), dy) : List.of(x, dy);
      return SameDiffOp.builder().name(scope + "/fused_bp").op(op).inputsToOp(in)
          .outputsOfOp(new ArrayList<>(outputs.keySet())).build();
    }
  }

  private static List<SameDiffOp> fuseSite(SameDiff fn, List<SameDiffOp> ops, Set<String> requested, String scope)
      throws Unfit {
    Site site = Site.of(scope);
    boolean ln = site.kind() == Kind.LAYER_NORM;
    String y = site.y();
    String g = site.g();
    String b = site.b();
    Set<Integer> fwd = new LinkedHashSet<>();
    Set<String> internal = new HashSet<>();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).getName().startsWith(scope + "/")) {
        fwd.add(i);
        internal.addAll(ops.get(i).getOutputsOfOp());
        for (String in : inputs(ops.get(i))) {
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
      if (ln && op.getOp() instanceof ScalarAdd sa) {
        if (eps != null) throw new Unfit("two add_scalar ops");
        eps = sa.scalar().getDouble(0);
      }
      for (String in : inputs(op)) {
        if (internal.contains(in) || in.equals(g) || in.equals(b)) continue;
        if (x != null && !x.equals(in)) throw new Unfit("two outside inputs, " + x + " and " + in);
        x = in;
      }
    }
    if (x == null || (ln && eps == null)) throw new Unfit("no input or no epsilon");
    double epsilon = ln ? eps : 0;
    for (String v : ln ? List.of(x, g, b, y) : List.of(x, y)) {
      SDVariable var = fn.getVariable(v);
      if (var == null || var.dataType() != DataType.FLOAT) throw new Unfit(v + " is not a FLOAT variable");
    }

    // gradient-dependent values: outputs of *_bp ops and the gradient marker, and everything computed from them
    Set<String> grad = new HashSet<>();
    for (SameDiffOp op : ops) {
      boolean g0 = op.getOp() instanceof GradientBackwardsMarker || op.getOp().opName().endsWith("_bp");
      if (!g0) {
        for (String in : inputs(op)) {
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
      for (String in : inputs(op)) {
        if (internal.contains(in)) readsInternal = true;
        if (backOut.contains(in)) readsBack = true;
        else if (grad.contains(in) && !in.equals(y + "-grad")) foreignGrad = true; // y's own gradient enters R
        // x's gradient (SameDiff names one of its parts <x>-grad) is where the site's backward ends: an op reading
        // it (the sum of the parts, or the ops before the site) is outside
        if (in.equals(x + "-grad")) foreignGrad = true;
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
        for (String in : inputs(ops.get(i))) {
          if (grad.contains(in) && !backOut.contains(in)) {
            if (dy != null && !dy.equals(in)) throw new Unfit("two outside gradients, " + dy + " and " + in);
            dy = in;
            if (first < 0) first = i;
          }
        }
      }
      if (dy == null) throw new Unfit("backward ops read no gradient");
      // what R reads besides gradients: the site's values and inputs, or their shapes
      Map<String, SameDiffOp> producerOf = new HashMap<>();
      for (SameDiffOp op : ops) {
        for (String o : op.getOutputsOfOp()) producerOf.put(o, op);
      }
      for (int i : back) {
        for (String in : inputs(ops.get(i))) {
          if (grad.contains(in) || backOut.contains(in) || internal.contains(in) || in.equals(x) || in.equals(g)
              || in.equals(b)) {
            continue;
          }
          SameDiffOp p = producerOf.get(in);
          boolean siteShape = p != null && "shape_of".equals(p.getOp().opName()) && inputs(p).size() == 1
              && (inputs(p).get(0).equals(x) || inputs(p).get(0).equals(g) || inputs(p).get(0).equals(b)
                  || internal.contains(inputs(p).get(0)));
          if (!siteShape) throw new Unfit("backward op " + ops.get(i).getName() + " reads " + in);
        }
      }
      // outputs of the backward ops read elsewhere, with their roles
      Map<String, FusedOp.Role> escaping = new LinkedHashMap<>();
      for (int i = 0; i < ops.size(); i++) {
        if (back.contains(i)) continue;
        for (String in : inputs(ops.get(i))) {
          if (backOut.contains(in)) escaping.put(in, null);
        }
      }
      for (String r : requested) {
        if (backOut.contains(r)) escaping.put(r, null);
      }
      for (String e : new ArrayList<>(escaping.keySet())) {
        FusedOp.Role role;
        if (ln && e.equals(g + "-grad")) {
          role = FusedOp.Role.DG;
        } else if (ln && e.equals(b + "-grad")) {
          role = FusedOp.Role.DB;
        } else {
          // R computes gradients from dy back to the site's inputs only: the rest is x's, possibly in parts
          role = FusedOp.Role.DX;
        }
        escaping.put(e, role);
      }
      if (escaping.isEmpty()) throw new Unfit("no backward output is read");
      dropZeroParts(ops, out, back, requested, escaping);
      SameDiffOp sdo = site.backward(x, dy, epsilon, escaping);
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
      for (String in : inputs(op)) {
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
      SameDiffOp sdo = site.forward(x, epsilon);
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

  /**
   * The fused backward writes x's whole gradient into its first part and zeros into the others. SameDiff sums the
   * parts with {@code add} ops ({@code add(gradient so far, part)}); an {@code add} of a zero part and another value
   * is that value. Where every reader of a zero part is such an {@code add}, each becomes an alias of its other input
   * and the part leaves the fused op's outputs: no fill, no add (a pass each over x's gradient).
   */
  private static void dropZeroParts(List<SameDiffOp> ops, List<SameDiffOp> out, Set<Integer> back,
      Set<String> requested, Map<String, FusedOp.Role> escaping) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, FusedOp.Role> e : escaping.entrySet()) {
      if (e.getValue() == FusedOp.Role.DX) parts.add(e.getKey());
    }
    for (String z : parts.subList(Math.min(1, parts.size()), parts.size())) {
      if (requested.contains(z)) continue;
      Map<Integer, String> others = new LinkedHashMap<>(); // reader -> the other addend
      boolean adds = true;
      for (int i = 0; i < ops.size() && adds; i++) {
        if (back.contains(i) || !inputs(ops.get(i)).contains(z)) continue;
        String other = otherAddend(out.get(i), z, parts);
        if (other == null) adds = false;
        else others.put(i, other);
      }
      if (!adds || others.isEmpty()) continue;
      for (Map.Entry<Integer, String> e : others.entrySet()) {
        SameDiffOp add = out.get(e.getKey());
        out.set(e.getKey(), SameDiffOp.builder().name(add.getName()).op(new Identity())
            .inputsToOp(List.of(e.getValue())).outputsOfOp(new ArrayList<>(add.getOutputsOfOp())).build());
      }
      escaping.remove(z);
    }
  }

  /** The other input of {@code op} if it is a two-input {@code add} of {@code z} and a value not among the parts. */
  private static String otherAddend(SameDiffOp op, String z, List<String> parts) {
    if (op == null || op.getOp().getClass() != AddOp.class || inputs(op).size() != 2) return null;
    List<String> in = inputs(op);
    String other = in.get(0).equals(z) ? in.get(1) : in.get(1).equals(z) ? in.get(0) : null;
    return other == null || parts.contains(other) ? null : other;
  }

  /** Drops ops none of whose outputs is read or requested (the parts of a site only its removed ops read). */
  private static List<SameDiffOp> dropUnread(List<SameDiffOp> ops, Set<String> requested) {
    List<SameDiffOp> cur = ops;
    boolean changed = true;
    while (changed) {
      Set<String> read = new HashSet<>(requested);
      for (SameDiffOp op : cur) read.addAll(inputs(op));
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

}
