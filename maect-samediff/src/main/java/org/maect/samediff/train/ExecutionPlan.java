package org.maect.samediff.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Assign;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One SameDiff pass (a forward, or a forward + backward through the gradient function) recorded once and then
 * replayed without SameDiff's session: the same ops with the same arguments, on arrays planned once.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's {@code InferenceSession} does ~100 us of Java work per op on every pass
 * (dependency tracking, shape functions over JNI, array-cache look-ups, a fresh op context), ~15-20% of a cpu28
 * training step with ~660 ops, and its array cache hands out and takes back arrays on every pass, so the step's
 * memory is the cache's high-water mark plus what malloc fragments around it. A training step runs the same
 * graph with the same shapes thousands of times, so all of that can be decided once:
 * <ul>
 *   <li><b>record</b> ({@link #record}): the pass is traced: the ops the outputs need, in a topological order
 *       ({@link #order}), run by this class as the session would parameterise them, each output taken from an
 *       exact-size buffer pool and given back after its last reader; every op's arguments and shapes are noted.
 *       Graphs the trace does not support are recorded by a session pass with a listener instead
 *       ({@link #recordInSession});
 *   <li><b>plan</b>: every intermediate array gets a slot; slots whose lifetimes do not overlap share one
 *       buffer (exact size match, in the recorded order; a traced pass's arrays are adopted as they are); each
 *       op gets its own {@link OpContext}, bound once to its slots, variables and placeholders, and, where one
 *       is faster, a {@link PlanKernel} ({@link PlanKernels});
 *   <li><b>replay</b> ({@link #run}): per op, re-bind only what changed (a new placeholder array, a variable
 *       whose array was replaced) and call the kernel or the executioner.
 * </ul>
 * Requested outputs are arrays of the plan too, allocated once and returned by every call: they hold a call's
 * values until the next call of the same plan (copy them to keep them longer), and {@code close()} on them is a
 * no-op ({@code setCloseable(false)}), so callers written for SameDiff's fresh arrays stay correct. {@code Identity}
 * (and single-input {@code Assign}) outputs are the input array itself, as in the session; the gradient
 * marker is a constant 1. Listeners of the function see the same {@code preOpExecution} / {@code opExecution}
 * calls as in a session pass (used by the CT step's neighbour injection and the op profiler).
 *
 * <p>A plan is only valid for the shapes and data types it was recorded with ({@link ExecutionPlans} keys its
 * plans by them; {@link #run} rejects other placeholder shapes). Graphs with control flow, tensor arrays, views
 * or in-place ops are not planned ({@link UnsupportedGraphException}); the caller keeps using the session for
 * them. Not thread-safe: one plan serves one thread (as SameDiff's sessions do).
 */
public final class ExecutionPlan implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ExecutionPlan.class);

  /** Thrown by {@link #record} for a pass the plan cannot replay (the pass itself has run). */
  public static final class UnsupportedGraphException extends RuntimeException {
    UnsupportedGraphException(String message) {
      super(message);
    }
  }

  /** What an op input or output refers to. */
  private record Ref(int slot, String variable, String placeholder) {
    static Ref slot(int s) {
      return new Ref(s, null, null);
    }

    static Ref variable(String n) {
      return new Ref(-1, n, null);
    }

    static Ref placeholder(String n) {
      return new Ref(-1, null, n);
    }
  }

  /** An intermediate array: defined by one step, last read by another. */
  private static final class Slot {
    final long[] shape;
    final DataType dataType;
    int lastUse; // from the defining step to the last reader
    boolean fresh; // a requested output: its own array, never shared with another slot
    boolean pinned; // a constant (the gradient marker)
    INDArray array;

    Slot(long[] shape, DataType dataType, int def) {
      this.shape = shape;
      this.dataType = dataType;
      this.lastUse = def;
    }

    long length() {
      long n = 1;
      for (long s : shape) n *= s;
      return n;
    }
  }

  private enum Kind { EXEC, ALIAS, CONSTANT }

  /** One recorded op. */
  private static final class Step {
    final SameDiffOp sdOp;
    final Kind kind;
    final Ref[] inputs;
    final Ref scalar; // a ScalarOp's second argument, passed with setScalar as the session does
    final int[] outSlots;
    final OpContext ctx;
    final INDArray[] boundIn;
    final INDArray[] boundOut;
    PlanKernel kernel; // runs instead of the op when set (and the arrays suit it)

    Step(SameDiffOp sdOp, Kind kind, Ref[] inputs, Ref scalar, int[] outSlots, OpContext ctx) {
      this.sdOp = sdOp;
      this.kind = kind;
      this.inputs = inputs;
      this.scalar = scalar;
      this.outSlots = outSlots;
      this.ctx = ctx;
      this.boundIn = new INDArray[inputs.length];
      this.boundOut = new INDArray[outSlots.length];
    }
  }

  /**
   * The buffers of a plan: an op output takes a free buffer of exactly its size (or a new one), and gives it back
   * after its last reader; requested outputs get their own arrays (never shared), scalars too.
   */
  private static final class Pool {
    final Map<String, Deque<INDArray>> free = new HashMap<>();
    final Map<INDArray, INDArray> bufferOf = new java.util.IdentityHashMap<>();
    final List<INDArray> buffers = new ArrayList<>();
    long bytes;

    INDArray take(DataType dt, long[] shape, boolean own) {
      long n = 1;
      for (long d : shape) n *= d;
      if (own || shape.length == 0) {
        INDArray a = shape.length == 0 ? Nd4j.scalar(dt, 0) : Nd4j.createUninitialized(dt, shape);
        if (own) a.setCloseable(false);
        buffers.add(a);
        bytes += n * dt.width();
        return a;
      }
      Deque<INDArray> q = free.get(dt + ":" + n);
      INDArray buf = q == null ? null : q.pollFirst();
      if (buf == null) {
        buf = Nd4j.createUninitialized(dt, Math.max(1, n));
        buffers.add(buf);
        bytes += n * dt.width();
      }
      INDArray a = buf.reshape('c', shape);
      bufferOf.put(a, buf);
      return a;
    }

    void give(INDArray a) {
      INDArray buf = a == null ? null : bufferOf.remove(a);
      if (buf != null) free.computeIfAbsent(buf.dataType() + ":" + buf.length(), k -> new ArrayDeque<>()).addFirst(buf);
    }

    void close() {
      for (INDArray b : buffers) {
        b.setCloseable(true);
        if (b.closeable()) b.close();
      }
      buffers.clear();
    }
  }

  /** What the recording listener saw of one op. */
  private record Recorded(SameDiffOp op, int numInputs, int numOutputs, long[] iArgs, double[] tArgs,
      boolean[] bArgs, DataType[] dArgs, long[][] inShapes, DataType[] inTypes, long[][] outShapes,
      DataType[] outTypes, String problem) {}

  private final SameDiff fn;
  private final List<String> outputs;
  private final Map<String, Ref> outputRefs;
  private final List<Slot> slots;
  private final List<Step> steps;
  private final Pool pool;
  private final long peakLiveBytes;
  private final Map<String, long[]> placeholderShapes = new HashMap<>();
  private final At at = At.defaultAt(Operation.INFERENCE);
  private boolean closed;

  private ExecutionPlan(SameDiff fn, List<String> outputs, Map<String, Ref> outputRefs, List<Slot> slots,
      List<Step> steps, Pool pool, long peakLiveBytes) {
    this.fn = fn;
    this.outputs = outputs;
    this.outputRefs = outputRefs;
    this.slots = slots;
    this.steps = steps;
    this.pool = pool;
    this.peakLiveBytes = peakLiveBytes;
  }

  /** The result of recording: the pass's outputs and, if the pass can be replayed, its plan. */
  public record Recording(Map<String, INDArray> outputs, ExecutionPlan plan, String unsupported) {}

  /**
   * System property: {@code -Dmaect.samediff.trace=false} records plans by a pass in SameDiff's session (the
   * first pass then peaks at the session's memory) instead of the plan's own traced pass.
   */
  public static final String TRACE_PROPERTY = "maect.samediff.trace";

  private static final boolean TRACE = !"false".equalsIgnoreCase(System.getProperty(TRACE_PROPERTY, "true"));

  /**
   * Runs {@code fn.output(placeholders, outputs)} once, recording it, and plans the replay. The pass is traced
   * ({@link #trace}: the plan's own executor in a topological order, each array freed after its last use) when
   * every op is one the replay supports, else run in SameDiff's session.
   *
   * @return the pass's outputs, and the plan (null with the reason if the pass cannot be replayed)
   */
  public static Recording record(SameDiff fn, Map<String, INDArray> placeholders, List<String> outputs) {
    if (TRACE) {
      List<SameDiffOp> order = null;
      try {
        order = TransposeFolding.apply(fn, SiteFusion.apply(fn, order(fn, outputs), outputs), outputs);
      } catch (UnsupportedGraphException e) {
        log.debug("pass not traced ({}): recording it in the session", e.getMessage());
      }
      if (order != null) {
        List<Recorded> ops = new ArrayList<>();
        List<INDArray[]> arrays = new ArrayList<>();
        Pool pool = new Pool();
        Map<String, INDArray> result = trace(fn, placeholders, outputs, order, ops, arrays, pool);
        try {
          return new Recording(result, plan(fn, placeholders, outputs, ops, arrays, pool), null);
        } catch (UnsupportedGraphException e) {
          // the pool's buffers include the returned outputs: left to the garbage collector
          return new Recording(result, null, e.getMessage());
        }
      }
    }
    return recordInSession(fn, placeholders, outputs);
  }

  /** {@link #record} through SameDiff's session, with a listener noting each op. */
  static Recording recordInSession(SameDiff fn, Map<String, INDArray> placeholders, List<String> outputs) {
    List<Recorded> ops = new ArrayList<>();
    BaseListener recorder = new BaseListener() {
      @Override
      public boolean isActive(Operation operation) {
        return true;
      }

      @Override
      public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
          INDArray[] outs) {
        ops.add(capture(op, ctx, outs));
      }
    };
    COrderArrayCache.install(fn); // row-major arrays only (the oneDNN build misreads mis-flagged ones)
    List<Listener> before = fn.getListeners() == null ? List.of() : new ArrayList<>(fn.getListeners());
    List<Listener> with = new ArrayList<>(before);
    with.add(recorder);
    fn.setListeners(with);
    Map<String, INDArray> result;
    try {
      result = fn.output(placeholders, outputs.toArray(new String[0]));
    } finally {
      fn.setListeners(before);
    }
    try {
      return new Recording(result, plan(fn, placeholders, outputs, ops, null, null), null);
    } catch (UnsupportedGraphException e) {
      return new Recording(result, null, e.getMessage());
    }
  }

  /** The names an op reads (none: an empty list). */
  static List<String> inputs(SameDiffOp op) {
    return op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
  }

  /** Ops whose output is their input array itself in SameDiff's session. */
  private static boolean isAlias(DifferentialFunction df, int args) {
    return df instanceof Identity || (df instanceof Assign && args == 1);
  }

  /** The op's kind in a traced pass, or null if the trace does not support it. */
  private static Kind traceKind(SameDiffOp op) {
    DifferentialFunction df = op.getOp();
    int args = inputs(op).size();
    if (isAlias(df, args)) return Kind.ALIAS;
    if (df instanceof GradientBackwardsMarker) return Kind.CONSTANT;
    if (df instanceof org.nd4j.linalg.api.ops.DynamicCustomOp) {
      String pkg = df.getClass().getName();
      if (pkg.contains(".controlflow.") || pkg.contains(".tensorops.") || df instanceof Assign
          || df instanceof org.nd4j.linalg.api.ops.custom.Invoke
          || df instanceof org.nd4j.linalg.api.ops.impl.shape.CreateView) {
        return null;
      }
      return Kind.EXEC;
    }
    if (df instanceof org.nd4j.linalg.api.ops.BaseOp && !(df instanceof CustomOp)) {
      if (df instanceof org.nd4j.linalg.api.ops.ReduceOp && args != 1) return null; // dimensions from an array
      if (df instanceof org.nd4j.linalg.api.ops.impl.transforms.Assert) return null;
      if (args < 1 || args > 2) return null;
      return Kind.EXEC;
    }
    return null;
  }

  /**
   * The ops computing {@code outputs}, each after the ops producing its inputs (depth-first from the outputs in
   * their order).
   *
   * @throws UnsupportedGraphException if an op is not one {@link #trace} can run, or the graph has control
   *     dependencies
   */
  static List<SameDiffOp> order(SameDiff fn, List<String> outputs) {
    List<SameDiffOp> order = new ArrayList<>();
    java.util.Set<String> done = new java.util.HashSet<>();
    java.util.Set<String> onPath = new java.util.HashSet<>();
    for (String o : outputs) visit(fn, o, done, onPath, order);
    return order;
  }

  private static void visit(SameDiff fn, String var, java.util.Set<String> done, java.util.Set<String> onPath,
      List<SameDiffOp> order) {
    org.nd4j.autodiff.samediff.internal.Variable v = fn.getVariables().get(var);
    if (v == null) throw new UnsupportedGraphException("unknown variable '" + var + "'");
    if (v.getControlDeps() != null && !v.getControlDeps().isEmpty()) {
      throw new UnsupportedGraphException("variable '" + var + "' has control dependencies");
    }
    String opName = v.getOutputOfOp();
    if (opName == null || done.contains(opName)) return;
    if (!onPath.add(opName)) throw new UnsupportedGraphException("cycle through op " + opName);
    SameDiffOp op = fn.getOps().get(opName);
    if (op == null) throw new UnsupportedGraphException("unknown op '" + opName + "'");
    if ((op.getControlDeps() != null && !op.getControlDeps().isEmpty())
        || (op.getVarControlDeps() != null && !op.getVarControlDeps().isEmpty())) {
      throw new UnsupportedGraphException("op " + opName + " has control dependencies");
    }
    if (traceKind(op) == null) {
      throw new UnsupportedGraphException("op " + opName + " (" + op.getOp().getClass().getSimpleName()
          + ") is not traced");
    }
    if (op.getInputsToOp() != null) {
      for (String in : op.getInputsToOp()) visit(fn, in, done, onPath, order);
    }
    onPath.remove(opName);
    done.add(opName);
    order.add(op);
  }

  /**
   * Runs the ops in {@code order} as the session would parameterise them (a custom op's integer / float /
   * boolean / data-type arguments, a legacy op's x, y and scalar), taking each output from {@code pool} at its op
   * (row-major, the variable's data type) and giving it back after its last reader, and records each op and its
   * output arrays for {@link #plan}.
   * Listeners of {@code fn} see every op, as in a session pass.
   */
  private static Map<String, INDArray> trace(SameDiff fn, Map<String, INDArray> placeholders, List<String> outputs,
      List<SameDiffOp> order, List<Recorded> recorded, List<INDArray[]> arrays, Pool pool) {
    // root of each name (an alias's input), last reader of each root
    Map<String, String> root = new HashMap<>();
    Map<String, Integer> lastUse = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      SameDiffOp op = order.get(i);
      List<String> in = inputs(op);
      for (String n : in) lastUse.put(root.getOrDefault(n, n), i);
      if (traceKind(op) == Kind.ALIAS) root.put(op.getOutputsOfOp().get(0), root.getOrDefault(in.get(0), in.get(0)));
    }
    java.util.Set<String> kept = new java.util.HashSet<>();
    for (String o : outputs) kept.add(root.getOrDefault(o, o));
    Map<String, INDArray> values = new HashMap<>();
    List<Listener> listeners = activeListeners(fn);
    At at = At.defaultAt(Operation.INFERENCE);
    try {
      for (int i = 0; i < order.size(); i++) {
        SameDiffOp op = order.get(i);
        DifferentialFunction df = op.getOp();
        List<String> inNames = inputs(op);
        List<String> outNames = op.getOutputsOfOp();
        INDArray[] in = new INDArray[inNames.size()];
        for (int k = 0; k < in.length; k++) in[k] = traceValue(fn, values, placeholders, inNames.get(k));
        Kind kind = traceKind(op);
        OpContext ctx = kind == Kind.EXEC ? Nd4j.getExecutioner().buildContext() : null;
        for (Listener l : listeners) l.preOpExecution(fn, at, op, ctx);
        INDArray[] outs;
        if (kind == Kind.ALIAS) {
          outs = new INDArray[] {in[0]};
        } else if (kind == Kind.CONSTANT) {
          outs = new INDArray[] {Nd4j.scalar(DataType.FLOAT, 1.0f)};
        } else if (df instanceof org.nd4j.linalg.api.ops.DynamicCustomOp c) {
          ctx.setArgs(in, c.iArgs(), c.dArgs(), c.tArgs(), c.bArgs());
          outs = allocate(fn, c.calculateOutputShape(ctx), outNames, op, pool, kept, root);
          ctx.setOutputArrays(outs);
          if (!(c instanceof FusedOp f)) {
            Nd4j.exec(c, ctx);
          } else if (!f.kernel().run(in, outs)) {
            throw new IllegalStateException(op.getName() + ": kernel declined");
          }
        } else {
          Op o = (Op) df;
          if (o instanceof ScalarOp so && in.length == 2) {
            so.setScalar(in[1]);
            ctx.setInputArrays(in[0]);
          } else {
            ctx.setInputArrays(in);
          }
          outs = allocate(fn, df.calculateOutputShape(ctx), outNames, op, pool, kept, root);
          ctx.setOutputArrays(outs);
          Nd4j.exec(o, ctx);
          o.clearArrays();
        }
        for (Listener l : listeners) l.opExecution(fn, at, null, op, ctx, outs);
        for (int k = 0; k < outs.length; k++) values.put(outNames.get(k), outs[k]);
        recorded.add(capture(op, ctx, outs));
        arrays.add(outs);
        if (ctx != null) ctx.close();
        // free what no later op reads (never the requested outputs, placeholders or variables)
        for (int k = 0; k < outs.length; k++) {
          String r = root.getOrDefault(outNames.get(k), outNames.get(k));
          if (kind == Kind.EXEC && !kept.contains(r) && lastUse.getOrDefault(r, i) <= i) pool.give(values.remove(r));
        }
        for (String n : inNames) {
          String r = root.getOrDefault(n, n);
          if (!kept.contains(r) && lastUse.get(r) == i && values.containsKey(r) && isArrayVar(fn, r)) {
            pool.give(values.remove(r));
          }
        }
      }
    } catch (Exception e) {
      pool.close();
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    Map<String, INDArray> result = new LinkedHashMap<>();
    for (String o : outputs) {
      INDArray a = traceValue(fn, values, placeholders, o);
      result.put(o, isArrayVar(fn, root.getOrDefault(o, o)) ? a : a.dup());
    }
    return result;
  }

  private static boolean isArrayVar(SameDiff fn, String name) {
    SDVariable v = fn.getVariable(name);
    return v != null && v.getVariableType() == VariableType.ARRAY;
  }

  private static INDArray traceValue(SameDiff fn, Map<String, INDArray> values, Map<String, INDArray> placeholders,
      String name) {
    INDArray a = values.get(name);
    if (a != null) return a;
    SDVariable v = fn.getVariable(name);
    if (v != null && v.getVariableType() == VariableType.PLACEHOLDER) {
      INDArray p = placeholders.get(name);
      if (p == null) throw new IllegalArgumentException("placeholder '" + name + "' not fed");
      return p.dataType() == v.dataType() ? p : p.castTo(v.dataType());
    }
    if (v != null && (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT)) {
      INDArray arr = fn.getArrForVarName(name);
      if (arr == null) throw new IllegalStateException("variable '" + name + "' has no array");
      return arr;
    }
    throw new IllegalStateException("'" + name + "' read before any op produced it");
  }

  private static INDArray[] allocate(SameDiff fn, List<org.nd4j.linalg.api.shape.LongShapeDescriptor> shapes,
      List<String> outNames, SameDiffOp op, Pool pool, java.util.Set<String> kept, Map<String, String> root) {
    if (shapes == null || shapes.size() != outNames.size()) {
      throw new IllegalStateException("op " + op.getName() + ": " + (shapes == null ? 0 : shapes.size())
          + " output shapes for " + outNames.size() + " outputs");
    }
    INDArray[] outs = new INDArray[shapes.size()];
    for (int k = 0; k < outs.length; k++) {
      org.nd4j.linalg.api.shape.LongShapeDescriptor d = shapes.get(k);
      SDVariable v = fn.getVariable(outNames.get(k));
      DataType dt = v != null && v.dataType() != null && v.dataType() != DataType.UNKNOWN ? v.dataType() : d.dataType();
      if (d.isEmpty()) throw new IllegalStateException("op " + op.getName() + " has an empty output");
      String name = outNames.get(k);
      outs[k] = pool.take(dt, d.getShape(), kept.contains(root.getOrDefault(name, name)));
    }
    return outs;
  }

  private static Recorded capture(SameDiffOp op, OpContext ctx, INDArray[] outs) {
    String problem = null;
    long[][] shapes = new long[outs == null ? 0 : outs.length][];
    DataType[] types = new DataType[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      INDArray a = outs[i];
      if (a == null) {
        problem = "op " + op.getName() + " has a null output " + i;
        continue;
      }
      if (a.isEmpty()) problem = "op " + op.getName() + " has an empty output";
      shapes[i] = a.shape().clone();
      types[i] = a.dataType();
    }
    if (ctx == null) {
      return new Recorded(op, -1, -1, new long[0], new double[0], new boolean[0], new DataType[0], new long[0][],
          new DataType[0], shapes, types, problem);
    }
    List<INDArray> ins = ctx.getInputArrays();
    long[][] inShapes = new long[ins.size()][];
    DataType[] inTypes = new DataType[ins.size()];
    for (int i = 0; i < inShapes.length; i++) {
      inShapes[i] = ins.get(i) == null ? new long[0] : ins.get(i).shape().clone();
      inTypes[i] = ins.get(i) == null ? null : ins.get(i).dataType();
    }
    if (outs != null) {
      for (INDArray o : outs) {
        for (INDArray in : ctx.getInputArrays()) {
          if (o != null && in != null && o != in && o.data() == in.data() && !(op.getOp() instanceof Identity)) {
            problem = "op " + op.getName() + " writes into its input's buffer";
          }
        }
      }
    }
    long[] ia = ctx.getIArguments().stream().mapToLong(Long::longValue).toArray();
    double[] ta = ctx.getTArguments().stream().mapToDouble(Double::doubleValue).toArray();
    List<Boolean> bl = ctx.getBArguments();
    boolean[] ba = new boolean[bl.size()];
    for (int i = 0; i < ba.length; i++) ba[i] = bl.get(i);
    DataType[] da = ctx.getDArguments().toArray(new DataType[0]);
    return new Recorded(op, ctx.numInputArguments(), ctx.numOutputArguments(), ia, ta, ba, da, inShapes, inTypes,
        shapes, types, problem);
  }

  private static ExecutionPlan plan(SameDiff fn, Map<String, INDArray> placeholders, List<String> outputs,
      List<Recorded> ops, List<INDArray[]> tracedArrays, Pool pool) {
    Map<String, Ref> refs = new HashMap<>();
    List<Slot> slots = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Recorded r = ops.get(i);
      if (r.problem() != null) throw new UnsupportedGraphException(r.problem());
      DifferentialFunction df = r.op().getOp();
      List<String> inNames = inputs(r.op());
      List<String> outNames = r.op().getOutputsOfOp() == null ? List.of() : r.op().getOutputsOfOp();
      if (outNames.size() != r.outShapes().length) {
        throw new UnsupportedGraphException("op " + r.op().getName() + ": " + outNames.size() + " output names, "
            + r.outShapes().length + " outputs");
      }
      Ref[] in = new Ref[inNames.size()];
      for (int k = 0; k < in.length; k++) {
        in[k] = resolve(fn, refs, placeholders, inNames.get(k), r.op().getName());
        if (in[k].slot() >= 0) slots.get(in[k].slot()).lastUse = i;
      }
      if (isAlias(df, in.length)) {
        if (in.length != 1 || outNames.size() != 1) {
          throw new UnsupportedGraphException("op " + r.op().getName() + ": identity with " + in.length + " inputs");
        }
        refs.put(outNames.get(0), in[0]);
        steps.add(new Step(r.op(), Kind.ALIAS, in, null, new int[0], null));
        continue;
      }
      int[] outSlots = new int[outNames.size()];
      for (int k = 0; k < outSlots.length; k++) {
        Slot s = new Slot(r.outShapes()[k], r.outTypes()[k], i);
        outSlots[k] = slots.size();
        slots.add(s);
        refs.put(outNames.get(k), Ref.slot(outSlots[k]));
      }
      if (df instanceof GradientBackwardsMarker) {
        Slot s = slots.get(outSlots[0]);
        s.pinned = true;
        s.array = Nd4j.scalar(DataType.FLOAT, 1.0f).castTo(s.dataType);
        steps.add(new Step(r.op(), Kind.CONSTANT, in, null, outSlots, null));
        continue;
      }
      if (!(df instanceof CustomOp) && !(df instanceof Op)) {
        throw new UnsupportedGraphException("op " + r.op().getName() + " (" + df.getClass().getSimpleName()
            + ") is executed by the session itself");
      }
      if (r.numOutputs() != outSlots.length) {
        throw new UnsupportedGraphException("op " + r.op().getName() + ": context has " + r.numOutputs()
            + " outputs, the op " + outSlots.length);
      }
      Ref scalar = null;
      Ref[] ctxIn = in;
      if (r.numInputs() != in.length) {
        if (df instanceof ScalarOp && in.length == 2 && r.numInputs() == 1) {
          scalar = in[1];
          ctxIn = new Ref[] {in[0]};
        } else {
          throw new UnsupportedGraphException("op " + r.op().getName() + ": context has " + r.numInputs()
              + " inputs, the op " + in.length);
        }
      }
      OpContext ctx = Nd4j.getExecutioner().buildContext();
      if (r.iArgs().length > 0) ctx.setIArguments(r.iArgs());
      if (r.tArgs().length > 0) ctx.setTArguments(r.tArgs());
      if (r.bArgs().length > 0) ctx.setBArguments(r.bArgs());
      if (r.dArgs().length > 0) ctx.setDArguments(r.dArgs());
      Step step = new Step(r.op(), Kind.EXEC, ctxIn, scalar, outSlots, ctx);
      if (df instanceof FusedOp f) {
        step.kernel = f.kernel();
      } else if (scalar == null) {
        step.kernel = PlanKernels.select(df, r.iArgs(), r.tArgs(), r.inShapes(), r.inTypes(), r.outShapes(),
            r.outTypes());
      }
      steps.add(step);
    }
    Map<String, Ref> outputRefs = new LinkedHashMap<>();
    for (String o : outputs) {
      Ref ref = refs.get(o);
      if (ref == null) ref = resolve(fn, refs, placeholders, o, "the requested outputs");
      outputRefs.put(o, ref);
      if (ref.slot() >= 0) {
        Slot s = slots.get(ref.slot());
        if (!s.pinned) s.fresh = true;
      }
    }
    // buffers: a slot takes a free buffer of its exact size when defined, gives it back after its last read
    // (a traced pass has done exactly this already: its arrays are adopted)
    boolean adopt = pool != null;
    Pool p = adopt ? pool : new Pool();
    List<List<Slot>> endingAt = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) endingAt.add(new ArrayList<>());
    for (Slot s : slots) {
      if (!s.fresh && !s.pinned) endingAt.get(s.lastUse).add(s);
    }
    long live = 0;
    long peakLive = 0;
    for (int i = 0; i < steps.size(); i++) {
      int[] out = steps.get(i).outSlots;
      for (int k = 0; k < out.length; k++) {
        Slot s = slots.get(out[k]);
        if (s.pinned) continue;
        live += s.length() * s.dataType.width();
        s.array = adopt ? tracedArrays.get(i)[k] : p.take(s.dataType, s.shape, s.fresh);
        if (s.fresh) s.array.setCloseable(false); // the caller's close() must not free the plan's array
      }
      peakLive = Math.max(peakLive, live);
      for (Slot s : endingAt.get(i)) {
        live -= s.length() * s.dataType.width();
        if (!adopt) p.give(s.array);
      }
    }
    ExecutionPlan plan = new ExecutionPlan(fn, List.copyOf(outputs), outputRefs, slots, steps, p, peakLive);
    for (Step st : steps) {
      for (Ref r : st.inputs) {
        if (r.placeholder() != null) {
          plan.placeholderShapes.put(r.placeholder(), placeholders.get(r.placeholder()).shape());
        }
      }
    }
    return plan;
  }

  private static Ref resolve(SameDiff fn, Map<String, Ref> refs, Map<String, INDArray> placeholders, String name,
      String where) {
    Ref r = refs.get(name);
    if (r != null) return r;
    SDVariable v = fn.getVariable(name);
    if (v == null) throw new UnsupportedGraphException(where + " reads an unknown variable '" + name + "'");
    VariableType t = v.getVariableType();
    if (t == VariableType.PLACEHOLDER) {
      if (!placeholders.containsKey(name)) throw new UnsupportedGraphException("placeholder '" + name + "' not fed");
      INDArray p = placeholders.get(name);
      if (p.dataType() != v.dataType()) {
        throw new UnsupportedGraphException("placeholder '" + name + "' is fed " + p.dataType() + ", declared "
            + v.dataType() + " (the session casts it)");
      }
      r = Ref.placeholder(name);
    } else if (t == VariableType.VARIABLE || t == VariableType.CONSTANT) {
      r = Ref.variable(name);
    } else {
      throw new UnsupportedGraphException(where + " reads '" + name + "' (" + t + ") before any op produced it");
    }
    refs.put(name, r);
    return r;
  }

  /** Bytes of the planned buffers (intermediates and requested outputs). */
  public long plannedBytes() {
    return pool.bytes;
  }

  /** Ops replayed per pass. */
  public int numOps() {
    return steps.size();
  }

  /** Number of intermediate arrays the plan maps onto {@link #numBuffers()} buffers. */
  public int numSlots() {
    return slots.size();
  }

  /** Ops run by a {@link PlanKernel} instead of libnd4j, by kernel name. */
  public Map<String, Integer> kernels() {
    Map<String, Integer> m = new java.util.TreeMap<>();
    for (Step st : steps) {
      if (st.kernel != null) m.merge(st.kernel.name(), 1, Integer::sum);
    }
    return m;
  }

  /** Distinct buffers backing the slots. */
  public int numBuffers() {
    return pool.buffers.size();
  }

  /**
   * Replays the pass.
   *
   * @param placeholders the same names, shapes and data types as when recorded
   * @return the requested outputs: the plan's arrays, valid until the next call (outputs that are a variable or a
   *     placeholder themselves are returned as copies)
   */
  public Map<String, INDArray> run(Map<String, INDArray> placeholders) {
    if (closed) throw new IllegalStateException("execution plan is closed");
    for (Map.Entry<String, long[]> e : placeholderShapes.entrySet()) {
      INDArray p = placeholders.get(e.getKey());
      if (p == null) throw new IllegalArgumentException("placeholder '" + e.getKey() + "' not fed");
      if (!Arrays.equals(p.shape(), e.getValue())) {
        throw new IllegalStateException("placeholder '" + e.getKey() + "' is " + Arrays.toString(p.shape())
            + ", the plan was recorded with " + Arrays.toString(e.getValue()) + " (record a new plan for new shapes)");
      }
    }
    List<Listener> listeners = activeListeners(fn);
    for (Step st : steps) {
      INDArray[] outs;
      switch (st.kind) {
        case ALIAS -> {
          for (Listener l : listeners) l.preOpExecution(fn, at, st.sdOp, null);
          outs = new INDArray[] {array(st.inputs[0], placeholders)};
        }
        case CONSTANT -> {
          for (Listener l : listeners) l.preOpExecution(fn, at, st.sdOp, null);
          outs = new INDArray[] {slots.get(st.outSlots[0]).array};
        }
        default -> {
          bind(st, placeholders);
          for (Listener l : listeners) l.preOpExecution(fn, at, st.sdOp, st.ctx);
          DifferentialFunction df = st.sdOp.getOp();
          if (st.kernel == null || !st.kernel.run(st.boundIn, st.boundOut)) {
            if (df instanceof FusedOp) throw new IllegalStateException(st.sdOp.getName() + ": kernel declined");
            if (df instanceof CustomOp c) {
              Nd4j.exec(c, st.ctx);
            } else {
              Op o = (Op) df;
              if (st.scalar != null) ((ScalarOp) o).setScalar(array(st.scalar, placeholders));
              Nd4j.exec(o, st.ctx);
              o.clearArrays();
            }
          }
          outs = st.boundOut;
        }
      }
      for (Listener l : listeners) l.opExecution(fn, at, null, st.sdOp, st.ctx, outs);
    }
    Map<String, INDArray> result = new LinkedHashMap<>();
    for (Map.Entry<String, Ref> e : outputRefs.entrySet()) {
      Ref r = e.getValue();
      INDArray a = array(r, placeholders);
      result.put(e.getKey(), r.slot() >= 0 && slots.get(r.slot()).fresh ? a : a.dup());
    }
    return result;
  }

  /** {@code fn}'s listeners active in an inference pass (what the session calls for {@code output}). */
  private static List<Listener> activeListeners(SameDiff fn) {
    List<Listener> all = fn.getListeners();
    if (all == null || all.isEmpty()) return List.of();
    List<Listener> active = new ArrayList<>(all.size());
    for (Listener l : all) {
      if (l.isActive(Operation.INFERENCE)) active.add(l);
    }
    return active;
  }

  /** Binds the step's context to its current arrays, touching only what changed since the last call. */
  private void bind(Step st, Map<String, INDArray> placeholders) {
    boolean changed = false;
    for (int k = 0; k < st.inputs.length; k++) {
      INDArray a = array(st.inputs[k], placeholders);
      if (a != st.boundIn[k]) {
        if (st.boundIn[k] != null && !Arrays.equals(a.shape(), st.boundIn[k].shape())) {
          throw new IllegalStateException("op " + st.sdOp.getName() + ": input " + k + " is now "
              + Arrays.toString(a.shape()) + ", the plan was recorded with " + Arrays.toString(st.boundIn[k].shape())
              + " (record a new plan for new shapes)");
        }
        st.boundIn[k] = a;
        changed = true;
      }
    }
    if (changed) st.ctx.setInputArrays(st.boundIn);
    changed = false;
    for (int k = 0; k < st.outSlots.length; k++) {
      INDArray a = slots.get(st.outSlots[k]).array;
      if (a != st.boundOut[k]) {
        st.boundOut[k] = a;
        changed = true;
      }
    }
    if (changed) st.ctx.setOutputArrays(st.boundOut);
  }

  private INDArray array(Ref r, Map<String, INDArray> placeholders) {
    if (r.slot() >= 0) return slots.get(r.slot()).array;
    if (r.placeholder() != null) {
      INDArray p = placeholders.get(r.placeholder());
      if (p == null) throw new IllegalArgumentException("placeholder '" + r.placeholder() + "' not fed");
      return p;
    }
    INDArray v = fn.getArrForVarName(r.variable());
    if (v == null) throw new IllegalStateException("variable '" + r.variable() + "' has no array");
    return v;
  }

  /** The outputs this plan computes. */
  public List<String> outputs() {
    return outputs;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Step st : steps) {
      if (st.ctx != null) {
        try {
          st.ctx.close();
        } catch (Exception e) {
          // a native context that cannot be freed is left to its deallocator
        }
      }
    }
    pool.close();
  }

  @Override
  public String toString() {
    return "ExecutionPlan[" + steps.size() + " ops, " + slots.size() + " arrays in " + numBuffers() + " buffers, "
        + (plannedBytes() >> 20) + " MB (live at most " + (peakLiveBytes >> 20) + " MB), kernels " + kernels()
        + ", outputs " + Arrays.toString(outputs.toArray()) + "]";
  }
}
