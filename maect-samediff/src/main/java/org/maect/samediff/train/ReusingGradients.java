package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code SameDiff.calculateGradientsAndOutputs} with the session's array reuse switched on: same values,
 * without a fresh native buffer for every intermediate array of every step.
 *
 * <p>In 1.0.0-M2.1 {@code calculateGradientsAndOutputs} runs the gradient function after
 * {@code gradFn.setEnableCache(false)}, which makes its {@code InferenceSession} skip releasing arrays it no
 * longer needs: every op output of the forward and backward pass is a new off-heap buffer, freed only when
 * the GC and JavaCPP's deallocator get to it. Profiled (JFR native samples, MAE step, cpu28): about half of the
 * step was spent in {@code Nd4jCpu.allocateDataBuffer} (allocation + first-touch page faults) and RSS grew to
 * the JavaCPP limit. This helper runs the same gradient function through {@code output(...)} with the cache on:
 * the session's {@code ArrayCacheMemoryMgr} hands released arrays of the same shape back to later ops, within
 * the step and across steps (the session lives per thread). Since session 3 the passes go through
 * {@link ExecutionPlans}: the first pass with given shapes is traced and recorded as an {@link ExecutionPlan}, later
 * ones replay it (no session work, arrays planned once); the session path above remains for graphs a plan cannot
 * replay and with {@code -Dmaect.samediff.plan=false}. Outputs and gradients of a replay are the plan's arrays,
 * valid until the next pass (the caller's {@code close()} is a no-op).
 */
public final class ReusingGradients {
  /**
   * System property: {@code -Dmaect.samediff.reuseArrays=false} falls back to the stock
   * {@code calculateGradientsAndOutputs} (for before/after comparisons).
   */
  public static final String PROPERTY = "maect.samediff.reuseArrays";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  /**
   * System property: cap of the session's array cache in MB ({@code -Dmaect.samediff.arrayCacheMb=512}); SameDiff's
   * default is a quarter of JavaCPP's {@code maxbytes} (= the Java heap limit unless set).
   */
  public static final String CACHE_PROPERTY = "maect.samediff.arrayCacheMb";

  private static final long CACHE_BYTES = Long.getLong(CACHE_PROPERTY, -1L) * 1024 * 1024;

  private ReusingGradients() {}

  /** The gradient function with its session cache on (and capped if {@link #CACHE_PROPERTY} is set). */
  private static SameDiff gradientFunction(SameDiff sd) {
    GradFunction.ensure(sd);
    SameDiff gradFn = sd.getFunction("grad");
    gradFn.setEnableCache(true);
    gradFn.setListeners(sd.getListeners()); // as calculateGradientsAndOutputs does (op profiling, ...)
    ArrayCacheMemoryMgr m = COrderArrayCache.install(gradFn);
    if (CACHE_BYTES > 0 && m.getMaxCacheBytes() != CACHE_BYTES) m.setMaxCacheBytes(CACHE_BYTES);
    return gradFn;
  }

  /**
   * Forward-only outputs computed in the gradient function's session (creating the gradient function if
   * needed). For a step that needs a forward pass before its gradient pass (the CT step's queue lookup): run in
   * {@code sd}'s own session, the forward would fill a second array cache with the same activations.
   */
  public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, String... outputs) {
    GradFunction.ensure(sd);
    if (!ENABLED) return sd.output(placeholders, outputs);
    return ExecutionPlans.output(gradientFunction(sd), placeholders, outputs);
  }

  /**
   * Outputs and gradients in one forward + backward pass.
   *
   * @param outputs variables whose values to return (e.g. the loss)
   * @param wrt variables to differentiate the loss with respect to; names without a gradient (the loss does
   *     not depend on them) are left out of the result, as in SameDiff
   */
  public static OutAndGrad calculate(SameDiff sd, Map<String, INDArray> placeholders, Collection<String> outputs,
      Collection<String> wrt) {
    GradFunction.ensure(sd);
    if (!ENABLED) return sd.calculateGradientsAndOutputs(placeholders, outputs, wrt);
    SameDiff gradFn = gradientFunction(sd);
    List<String> names = new ArrayList<>(outputs);
    Map<String, String> gradNames = new HashMap<>();
    for (String s : wrt) {
      SDVariable v = sd.getVariable(s);
      if (v == null) throw new IllegalArgumentException("Graph has no variable '" + s + "'");
      SDVariable g = v.getGradient();
      if (g != null) {
        gradNames.put(s, g.name());
        names.add(g.name());
      }
    }
    Map<String, INDArray> all = ExecutionPlans.output(gradFn, placeholders, names.toArray(new String[0]));
    Map<String, INDArray> out = new HashMap<>();
    for (String s : outputs) out.put(s, all.get(s));
    Map<String, INDArray> grads = new HashMap<>();
    gradNames.forEach((v, g) -> grads.put(v, all.get(g)));
    return new OutAndGrad(out, grads);
  }
}
