package org.maect.eval.linalg;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the fastest available {@link DotKernel} once per JVM. */
public final class Kernels {
  private static final Logger log = LoggerFactory.getLogger(Kernels.class);
  private static final DotKernel KERNEL = choose();
  private static final PathKernel PATH = KERNEL instanceof ScalarDotKernel ? new ScalarPathKernel() : vectorPath();

  private Kernels() {}

  /** The kernel in use: Vector API when {@code jdk.incubator.vector} is loaded, else plain Java. */
  public static DotKernel get() {
    return KERNEL;
  }

  static PathKernel path() {
    return PATH;
  }

  private static PathKernel vectorPath() {
    try {
      return (PathKernel)
          Class.forName("org.maect.eval.linalg.VectorPathKernel").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new ScalarPathKernel();
    }
  }

  private static DotKernel choose() {
    if (!Boolean.getBoolean("maect.scalarKernel")
        && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        DotKernel k =
            (DotKernel)
                Class.forName("org.maect.eval.linalg.VectorDotKernel")
                    .getDeclaredConstructor()
                    .newInstance();
        log.debug("dot kernel: {}", k.name());
        return k;
      } catch (ReflectiveOperationException | LinkageError e) {
        log.warn("Vector API kernel unavailable ({}); using the scalar kernel", e.toString());
      }
    } else {
      log.info(
          "jdk.incubator.vector not loaded: using the scalar dot kernel (~8x slower); "
              + "start the JVM with --add-modules jdk.incubator.vector");
    }
    return new ScalarDotKernel();
  }
}
