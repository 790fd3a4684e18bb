package org.maect.samediff.train;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * SameDiff's session array cache, handing out row-major ({@code 'c'}) arrays only.
 *
 * <p>In 1.0.0-M2.1 {@code ArrayCacheMemoryMgr.allocate(detached, descriptor)} allocates a fresh array in
 * {@code 'c'} order whatever the descriptor says, but a cached array is re-flagged with
 * {@code arr.setOrder(descriptor.getOrder())}, which keeps its {@code 'c'} strides. Ops whose shape function
 * reports {@code 'f'} (the {@code xw_plus_b} of every Linear) thus get, from the second step on, outputs flagged
 * {@code 'f'} with {@code 'c'} strides. Values stay right (kernels index by stride), but every elementwise op
 * that mixes such an array with a {@code 'c'} one leaves libnd4j's contiguous loop for the per-element index
 * path: profiled (cpu28 CT step), {@code mul_scalar}/{@code multiply} on the GELU's {@code [N, 4D]} arrays took
 * 10-20 ms instead of ~1 ms, a quarter of the step. This manager asks its parent for a {@code 'c'} array always,
 * i.e. what the first step (all cache misses) already gets.
 */
public final class COrderArrayCache extends ArrayCacheMemoryMgr {

  /** System property: {@code -Dmaect.samediff.cOrderCache=false} leaves SameDiff's own manager (comparisons). */
  public static final String PROPERTY = "maect.samediff.cOrderCache";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  @Override
  public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
    if (!descriptor.isEmpty() && descriptor.getOrder() != 'c') {
      descriptor = LongShapeDescriptor.fromShape(descriptor.getShape(), descriptor.dataType());
    }
    return super.allocate(detached, descriptor);
  }

  /**
   * Gives {@code sd}'s session of the calling thread this memory manager (creating the session if needed).
   * SameDiff drops its sessions when variables are frozen or unfrozen, so call this before each run; it is a
   * map look-up when the session already has one.
   *
   * @return the session's memory manager (SameDiff's own when {@link #PROPERTY} is false)
   */
  public static ArrayCacheMemoryMgr install(SameDiff sd) {
    InferenceSession s = sd.getSessions()
        .computeIfAbsent(Thread.currentThread().getId(), k -> SameDiff.getInferenceFactory().create(sd));
    if (s.getMmgr() instanceof COrderArrayCache c) return c;
    if (!ENABLED && s.getMmgr() instanceof ArrayCacheMemoryMgr m) return m;
    COrderArrayCache c = new COrderArrayCache();
    if (s.getMmgr() instanceof ArrayCacheMemoryMgr old) {
      c.setMaxCacheBytes(old.getMaxCacheBytes());
      old.close();
    }
    s.setMmgr(c);
    return c;
  }

  /** Frees the arrays cached by {@code sd}'s session of the calling thread (the session stays usable). */
  public static void clear(SameDiff sd) {
    InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
    if (s == null || !(s.getMmgr() instanceof ArrayCacheMemoryMgr old)) return;
    COrderArrayCache c = new COrderArrayCache();
    c.setMaxCacheBytes(old.getMaxCacheBytes());
    old.close();
    s.setMmgr(c);
  }
}
