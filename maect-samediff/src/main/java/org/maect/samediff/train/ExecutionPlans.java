package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ExecutionPlan}s of each graph, keyed by the requested outputs, the placeholders' shapes and data
 * types, and the graph's op and variable signature (freezing a variable, adding ops or loading parameters of
 * another shape gives a new key). The first pass with a new key is traced and recorded; later passes replay the
 * plan. Passes that cannot be planned stay in SameDiff's session (logged once per key).
 *
 * <p>Memory: a plan holds its buffers (and, through its ops, its graph) until closed. A graph keeps at most
 * {@value #MAX_PLANS_PER_GRAPH} plans, and plans are kept for the {@value #MAX_GRAPHS} graphs used last; older
 * ones are closed (a pipeline's stages run one after another). {@link #release} closes a graph's plans at once
 * (the trainers call it when a stage ends).
 */
public final class ExecutionPlans {
  private static final Logger log = LoggerFactory.getLogger(ExecutionPlans.class);
  static final int MAX_PLANS_PER_GRAPH = 4;
  static final int MAX_GRAPHS = 3;

  /** Plans (or, for a key that cannot be planned, the reason) of one graph, oldest first. */
  private record Entry(SameDiff graph, LinkedHashMap<String, Object> plans) {}

  private static final List<Entry> ENTRIES = new ArrayList<>();

  /**
   * System property: {@code -Dmaect.samediff.plan=false} runs every pass in SameDiff's session instead of
   * replaying an {@link ExecutionPlan} (for comparisons).
   */
  public static final String PROPERTY = "maect.samediff.plan";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private ExecutionPlans() {}

  /**
   * {@code fn.output(placeholders, names)}: replayed from the plan recorded for these outputs and shapes, or
   * run (and recorded) in SameDiff's session. Replayed outputs are the plan's arrays: valid until the next call
   * with the same outputs and shapes (copy to keep), {@code close()} on them is a no-op.
   */
  public static Map<String, INDArray> output(SameDiff fn, Map<String, INDArray> placeholders, String... names) {
    if (!ENABLED) return fn.output(placeholders, names);
    return run(fn, placeholders, List.of(names));
  }

  private static synchronized Map<String, INDArray> run(SameDiff fn, Map<String, INDArray> placeholders,
      List<String> names) {
    LinkedHashMap<String, Object> plans = plansOf(fn);
    String key = key(fn, placeholders, names);
    Object p = plans.get(key);
    if (p instanceof ExecutionPlan plan) return plan.run(placeholders);
    if (p != null) return fn.output(placeholders, names.toArray(new String[0]));
    ExecutionPlan.Recording r = ExecutionPlan.record(fn, placeholders, names);
    if (r.plan() == null) {
      log.info("SameDiff pass left to the session (not replayable: {})", r.unsupported());
      plans.put(key, r.unsupported());
    } else {
      if (plans.size() >= MAX_PLANS_PER_GRAPH) {
        Iterator<Map.Entry<String, Object>> it = plans.entrySet().iterator();
        Object oldest = it.next().getValue();
        it.remove();
        if (oldest instanceof ExecutionPlan old) old.close();
      }
      plans.put(key, r.plan());
      COrderArrayCache.clear(fn); // the session's cached arrays are not needed for replays
      log.debug("recorded {}", r.plan());
    }
    return r.outputs();
  }

  /** The plans of {@code fn}, which becomes the most recently used graph (the least recent beyond the cap go). */
  private static LinkedHashMap<String, Object> plansOf(SameDiff fn) {
    Entry found = null;
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.graph() == fn) {
        found = e;
        it.remove();
        break;
      }
    }
    if (found == null) found = new Entry(fn, new LinkedHashMap<>());
    ENTRIES.add(found);
    while (ENTRIES.size() > MAX_GRAPHS) close(ENTRIES.remove(0));
    return found.plans();
  }

  private static void close(Entry e) {
    for (Object o : e.plans().values()) {
      if (o instanceof ExecutionPlan plan) plan.close();
    }
  }

  /**
   * Closes the plans of {@code sd} and of its gradient function: their buffers are freed now, and the next pass
   * is recorded again. Call it when a graph is done with (a training stage ends).
   */
  public static synchronized void release(SameDiff sd) {
    SameDiff grad = sd.getFunction("grad");
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.graph() == sd || (grad != null && e.graph() == grad)) {
        close(e);
        it.remove();
      }
    }
  }

  /** Plans held for {@code fn} (tests). */
  static synchronized int planCount(SameDiff fn) {
    for (Entry e : ENTRIES) {
      if (e.graph() == fn) return (int) e.plans().values().stream().filter(o -> o instanceof ExecutionPlan).count();
    }
    return 0;
  }

  /** Closes the plans of {@code fn} alone (tests). */
  static synchronized void forget(SameDiff fn) {
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.graph() == fn) {
        close(e);
        it.remove();
      }
    }
  }

  private static String key(SameDiff fn, Map<String, INDArray> placeholders, List<String> names) {
    StringBuilder sb = new StringBuilder(String.join(",", names)).append('|');
    for (Map.Entry<String, INDArray> e : new TreeMap<>(placeholders).entrySet()) {
      INDArray a = e.getValue();
      sb.append(e.getKey()).append(':').append(a.dataType()).append(java.util.Arrays.toString(a.shape())).append(';');
    }
    int variables = 0;
    int constants = 0;
    int shapes = 1; // parameters given arrays of another shape (a different checkpoint) need a new plan
    for (SDVariable v : fn.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) variables++;
      else if (v.getVariableType() == VariableType.CONSTANT) constants++;
      else continue;
      INDArray a = fn.getArrForVarName(v.name());
      shapes = 31 * shapes + (a == null ? 0 : java.util.Arrays.hashCode(a.shape()) * 7 + a.dataType().ordinal());
    }
    return sb.append('|').append(fn.getOps().size()).append('/').append(variables).append('/').append(constants)
        .append('/').append(Integer.toHexString(shapes)).toString();
  }
}
