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
 * replayed without SameDiff's session: the same ops with the same arguments, in the order the session ran
 * them, on arrays planned once.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's {@code InferenceSession} does ~100 us of Java work per op on every pass
 * (dependency tracking, shape functions over JNI, array-cache look-ups, a fresh op context), ~15-20% of a cpu28
 * training step with ~660 ops, and its array cache hands out and takes back arrays on every pass, so the step's
 * memory is the cache's high-water mark plus what malloc fragments around it. A training step runs the same
 * graph with the same shapes thousands of times, so all of that can be decided once:
 * <ul>
 *   <li><b>record</b> ({@link #record}): the pass runs once in the session with a listener that notes every
 *       op executed, its input and output variable names, its integer / float / boolean / data-type arguments
 *       and its output shapes;
 *   <li><b>plan</b>: every intermediate array gets a slot; slots whose lifetimes do not overlap share one
 *       buffer (exact size match, first-fit over the recorded order); each op gets its own
 *       {@link OpContext}, bound once to its slots, variables and placeholders;
 *   <li><b>replay</b> ({@link #run}): per op, re-bind only what changed (a new placeholder array, a variable
 *       whose array was replaced) and call the executioner.
 * </ul>
 * Requested outputs are arrays of the plan too, allocated once and returned by every call: they hold a call's
 * values until the next call of the same plan (copy them to keep them longer), and {@code close()} on them is a
 * no-op ({@code setCloseable(false)}), so callers written for SameDiff's fresh arrays stay correct. {@code Identity}
 * (and single-input {@code Assign}) outputs are the input array itself, as in the session; the gradient
 * marker is a constant 1. Listeners of the function see the same {@code preOpExecution} / {@code opExecution}
 * calls as in a session pass (used by the CT step's neighbour injection and the op profiler).
 *
 * <p>A plan is only valid for the shapes and data types it was recorded with; {@link ReusingGradients} keys
 * its plans by them. Graphs with control flow, tensor arrays, views or in-place ops are not planned
 * ({@link UnsupportedGraphException}); the caller keeps using the session for them. Not thread-safe: one plan
 * serves one thread (as SameDiff's sessions do).
 */
public final class ExecutionPlan implements AutoCloseable {

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
    final int def;
    int lastUse;
    boolean fresh; // a requested output: its own array, never shared with another slot
    boolean pinned; // a constant (the gradient marker)
    INDArray array;

    Slot(long[] shape, DataType dataType, int def) {
      this.shape = shape;
      this.dataType = dataType;
      this.def = def;
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

  /** What the recording listener saw of one op. */
  private record Recorded(SameDiffOp op, int numInputs, int numOutputs, long[] iArgs, double[] tArgs,
      boolean[] bArgs, DataType[] dArgs, long[][] inShapes, DataType[] inTypes, long[][] outShapes,
      DataType[] outTypes, String problem) {}

  private final SameDiff fn;
  private final List<String> outputs;
  private final Map<String, Ref> outputRefs;
  private final List<Slot> slots;
  private final List<Step> steps;
  private final List<INDArray> buffers;
  private final long plannedBytes;
  private final long peakLiveBytes;
  private final At at = At.defaultAt(Operation.INFERENCE);
  private boolean closed;

  private ExecutionPlan(SameDiff fn, List<String> outputs, Map<String, Ref> outputRefs, List<Slot> slots,
      List<Step> steps, List<INDArray> buffers, long plannedBytes, long peakLiveBytes) {
    this.fn = fn;
    this.outputs = outputs;
    this.outputRefs = outputRefs;
    this.slots = slots;
    this.steps = steps;
    this.buffers = buffers;
    this.plannedBytes = plannedBytes;
    this.peakLiveBytes = peakLiveBytes;
  }

  /** The result of recording: the pass's outputs and, if the pass can be replayed, its plan. */
  public record Recording(Map<String, INDArray> outputs, ExecutionPlan plan, String unsupported) {}

  /**
   * Runs {@code fn.output(placeholders, outputs)} in SameDiff's session once, recording it, and plans the
   * replay.
   *
   * @return the pass's outputs, and the plan (null with the reason if the pass cannot be replayed)
   */
  public static Recording record(SameDiff fn, Map<String, INDArray> placeholders, List<String> outputs) {
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
      return new Recording(result, plan(fn, placeholders, outputs, ops), null);
    } catch (UnsupportedGraphException e) {
      return new Recording(result, null, e.getMessage());
    }
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
      List<Recorded> ops) {
    Map<String, Ref> refs = new HashMap<>();
    List<Slot> slots = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Recorded r = ops.get(i);
      if (r.problem() != null) throw new UnsupportedGraphException(r.problem());
      DifferentialFunction df = r.op().getOp();
      List<String> inNames = r.op().getInputsToOp() == null ? List.of() : r.op().getInputsToOp();
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
      boolean alias = df instanceof Identity || (df instanceof Assign && in.length == 1);
      if (alias) {
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
      if (scalar == null) step.kernel = PlanKernels.select(df, r.inShapes(), r.inTypes(), r.outShapes(), r.outTypes());
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
    Map<String, Deque<INDArray>> free = new HashMap<>();
    List<INDArray> buffers = new ArrayList<>();
    List<List<Slot>> endingAt = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) endingAt.add(new ArrayList<>());
    for (Slot s : slots) {
      if (!s.fresh && !s.pinned) endingAt.get(s.lastUse).add(s);
    }
    long bytes = 0;
    long live = 0;
    long peakLive = 0;
    Map<Slot, INDArray> bufferOf = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      for (int k : steps.get(i).outSlots) {
        Slot s = slots.get(k);
        if (s.pinned) continue;
        live += s.length() * s.dataType.width();
        if (s.fresh) {
          s.array = Nd4j.createUninitialized(s.dataType, s.shape);
          s.array.setCloseable(false); // the caller's close() must not free the plan's array
          buffers.add(s.array);
          bytes += s.length() * s.dataType.width();
          continue;
        }
        String key = s.dataType + ":" + s.length();
        Deque<INDArray> q = free.get(key);
        if (s.shape.length == 0) { // scalars: not shared
          s.array = Nd4j.scalar(s.dataType, 0);
          buffers.add(s.array);
          continue;
        }
        INDArray buf = q == null ? null : q.pollFirst();
        if (buf == null) {
          buf = Nd4j.createUninitialized(s.dataType, Math.max(1, s.length()));
          buffers.add(buf);
          bytes += s.length() * s.dataType.width();
        }
        bufferOf.put(s, buf);
        s.array = buf.reshape('c', s.shape);
      }
      peakLive = Math.max(peakLive, live);
      for (Slot s : endingAt.get(i)) {
        live -= s.length() * s.dataType.width();
        INDArray buf = bufferOf.get(s);
        if (buf == null) continue;
        free.computeIfAbsent(s.dataType + ":" + s.length(), k -> new ArrayDeque<>()).addFirst(buf);
      }
    }
    return new ExecutionPlan(fn, List.copyOf(outputs), outputRefs, slots, steps, buffers, bytes, peakLive);
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
    return plannedBytes;
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
    return buffers.size();
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
    List<Listener> listeners = activeListeners();
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

  private List<Listener> activeListeners() {
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
    for (INDArray b : buffers) {
      b.setCloseable(true);
      if (b.closeable()) b.close();
    }
    buffers.clear();
  }

  @Override
  public String toString() {
    return "ExecutionPlan[" + steps.size() + " ops, " + slots.size() + " arrays in " + buffers.size() + " buffers, "
        + (plannedBytes >> 20) + " MB (live at most " + (peakLiveBytes >> 20) + " MB), kernels " + kernels()
        + ", outputs " + Arrays.toString(outputs.toArray()) + "]";
  }
}
