package org.maect.examples.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * SameDiff op timing: kernel time per op type (between {@code preOpExecution} and {@code opExecution}: the
 * libnd4j call with its output allocation) and the session time between two ops (dependency tracking, shape
 * calculation, array allocation and release), attributed to the op that follows.
 */
public final class OpProfiler extends BaseListener {
  private static final class Stat {
    long count;
    long kernelNs;
    long gapNs;
  }

  /**
   * System property {@code -Dmaect.profile.detail=true}: one row per op type and output shape (which of the ops
   * of a type cost the time) instead of one per op type.
   */
  public static final String DETAIL_PROPERTY = "maect.profile.detail";

  private final boolean detail = Boolean.getBoolean(DETAIL_PROPERTY)
      || "names".equals(System.getProperty(DETAIL_PROPERTY));
  private final boolean names = "names".equals(System.getProperty(DETAIL_PROPERTY));
  /**
   * System property {@code -Dmaect.profile.cpu=true}: time with the thread's CPU clock instead of the wall clock (on
   * a loaded machine wall time also counts the time other processes held the core).
   */
  public static final String CPU_PROPERTY = "maect.profile.cpu";

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private final boolean cpu = Boolean.getBoolean(CPU_PROPERTY);
  private final Map<String, Stat> stats = new HashMap<>();
  private Stat current;
  private long lastEnd;
  private long start;
  private boolean enabled;

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  public void enable(boolean on) {
    enabled = on;
    lastEnd = 0;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
    if (!enabled) return;
    start = now();
    current = detail ? null : stats.computeIfAbsent(op.getOp().opName(), k -> new Stat());
    if (lastEnd != 0 && current != null) current.gapNs += start - lastEnd;
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
    if (!enabled) return;
    long end = now();
    Stat s = current;
    if (s == null) {
      String shape = outputs != null && outputs.length > 0 && outputs[0] != null
          ? java.util.Arrays.toString(outputs[0].shape()) : "?";
      String key = op.getOp().opName() + " " + shape + (names ? " " + op.getName() : "");
      s = stats.computeIfAbsent(key, k -> new Stat());
      if (lastEnd != 0) s.gapNs += start - lastEnd;
    }
    s.count++;
    s.kernelNs += end - start;
    lastEnd = end;
  }

  private long now() {
    return cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  /** Ends a pass (the time until the next pass's first op is not session overhead). */
  public void passEnd() {
    lastEnd = 0;
  }

  /** A table of the op types by kernel time, per step. */
  public String report(int steps) {
    List<Map.Entry<String, Stat>> e = new ArrayList<>(stats.entrySet());
    e.sort((a, b) -> Long.compare(b.getValue().kernelNs + b.getValue().gapNs, a.getValue().kernelNs + a.getValue().gapNs));
    long kernel = 0;
    long gap = 0;
    long count = 0;
    for (var x : e) {
      kernel += x.getValue().kernelNs;
      gap += x.getValue().gapNs;
      count += x.getValue().count;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("op profile per step: %d ops, kernel %.1f ms, between ops %.1f ms (%.1f us/op)%n",
        count / steps, kernel / 1e6 / steps, gap / 1e6 / steps, gap / 1e3 / Math.max(1, count)));
    sb.append(String.format("%-40s %7s %10s %10s %9s%n", "op", "n/step", "kernel ms", "gap ms", "us/op"));
    for (var x : e.subList(0, Math.min(detail ? 60 : 30, e.size()))) {
      Stat s = x.getValue();
      sb.append(String.format("%-40s %7d %10.2f %10.2f %9.1f%n", x.getKey(), s.count / steps, s.kernelNs / 1e6 / steps,
          s.gapNs / 1e6 / steps, s.kernelNs / 1e3 / Math.max(1, s.count)));
    }
    return sb.toString();
  }
}
