package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** A listener noting the type ({@code opName()}) of every op a pass runs, in order (plans and sessions alike). */
final class OpTypeRecorder extends BaseListener {
  final List<String> types = new ArrayList<>();

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
    types.add(op.getOp().opName());
  }
}
