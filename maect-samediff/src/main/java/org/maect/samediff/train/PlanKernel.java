package org.maect.samediff.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A replacement for one op of an {@link ExecutionPlan} replay: the same values as the op, computed faster than
 * libnd4j does here. Chosen once per op when the plan is built ({@link PlanKernels}).
 */
interface PlanKernel {
  /**
   * Computes the op's outputs from its inputs.
   *
   * @return false if these arrays do not suit the kernel (the plan then runs the op itself)
   */
  boolean run(INDArray[] inputs, INDArray[] outputs);

  /** Short name for logs and plan summaries. */
  String name();

  /** Row-major, dense, from the buffer's start: what the kernels read and write directly. */
  static boolean dense(INDArray a) {
    return a.ordering() == 'c' && a.offset() == 0 && a.elementWiseStride() == 1 && !a.isEmpty();
  }
}
