package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * An op of an {@link ExecutionPlan} that stands for a group of graph ops and is computed by a Java
 * {@link PlanKernel} ({@link SiteFusion}). It exists only in a plan's op order, never in a SameDiff graph, and
 * has no libnd4j implementation: the plan runs its kernel, which never declines.
 *
 * <p>Each output has a role that fixes its shape: {@link Role#Y} and {@link Role#DX} the shape of the first input,
 * {@link Role#DG} and {@link Role#DB} the shape of the second, {@link Role#MERGED} (attention's merged heads) the
 * first input's with a third of its last dimension (the packed qkv's).
 */
final class FusedOp extends DynamicCustomOp {
  /** What an output holds. */
  enum Role { Y, DX, DG, DB, MERGED }

  private final String name;
  private final PlanKernel kernel;
  private final Role[] roles;

  FusedOp(String name, PlanKernel kernel, Role[] roles) {
    this.name = name;
    this.kernel = kernel;
    this.roles = roles.clone();
  }

  PlanKernel kernel() {
    return kernel;
  }

  @Override
  public String opName() {
    return name;
  }

  @Override
  public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
    List<INDArray> in = oc.getInputArrays();
    List<LongShapeDescriptor> out = new ArrayList<>(roles.length);
    for (Role r : roles) {
      INDArray like = r == Role.DG || r == Role.DB ? in.get(1) : in.get(0);
      long[] shape = like.shape().clone();
      if (r == Role.MERGED) shape[shape.length - 1] /= 3;
      out.add(LongShapeDescriptor.fromShape(shape, like.dataType()));
    }
    return out;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grad) {
    throw new UnsupportedOperationException(name + " exists only in an execution plan");
  }
}
