package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link StepFunction} for a SameDiff graph with a scalar loss: one {@code calculateGradientsAndOutputs} call
 * gives the loss value and the gradients of all trainable variables (VARIABLE type; constants are frozen).
 */
public final class SameDiffStep<B> implements StepFunction<B> {
  private final SameDiff sd;
  private final String loss;
  private final BiFunction<B, Context, Map<String, INDArray>> placeholders;
  private final ToIntFunction<B> images;
  private final List<String> trainable;
  private boolean ownsPlaceholders;

  private SameDiffStep(SameDiff sd, String loss, BiFunction<B, Context, Map<String, INDArray>> placeholders,
      ToIntFunction<B> images) {
    this.sd = sd;
    this.loss = loss;
    this.placeholders = placeholders;
    this.images = images;
    if (sd.getVariable(loss) == null) throw new IllegalArgumentException("Graph has no variable '" + loss + "'");
    sd.setLossVariables(loss);
    this.trainable = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) trainable.add(v.name());
    }
    if (trainable.isEmpty()) throw new IllegalArgumentException("Graph has no trainable variables");
  }

  /**
   * @param loss name of the scalar loss variable
   * @param placeholders feeds for a batch (may use {@code ctx.rng()} for masking noise etc.)
   * @param images images in a batch (throughput)
   */
  public static <B> SameDiffStep<B> of(SameDiff sd, String loss,
      BiFunction<B, Context, Map<String, INDArray>> placeholders, ToIntFunction<B> images) {
    return new SameDiffStep<>(sd, loss, placeholders, images);
  }

  /**
   * Closes the placeholder arrays after each pass: for placeholder functions that build fresh arrays every
   * step (not for ones that hand the same arrays in again). Without it their off-heap buffers wait for the GC,
   * and once the arrays have been promoted to the old generation that can take thousands of steps (the soak
   * of an MAE step grew ~0.3 MB per step).
   */
  public SameDiffStep<B> ownsPlaceholders() {
    this.ownsPlaceholders = true;
    return this;
  }

  /** Names of the variables that receive gradients. */
  public List<String> trainable() {
    return List.copyOf(trainable);
  }

  @Override
  public Result step(B batch, Context ctx) {
    Map<String, INDArray> ph = placeholders.apply(batch, ctx);
    OutAndGrad og = ReusingGradients.calculate(sd, ph, List.of(loss), trainable);
    if (ownsPlaceholders) {
      for (INDArray a : ph.values()) {
        if (a != null && a.closeable() && !a.wasClosed()) a.close();
      }
    }
    INDArray lossArr = og.getOutputs().get(loss);
    double l = lossArr.getDouble(0);
    if (lossArr.closeable()) lossArr.close();
    return new Result(l, og.getGradients(), images.applyAsInt(batch));
  }

  /**
   * Closes the gradient arrays where they are fresh (a recorded pass); a replayed pass returns the plan's arrays,
   * for which {@code close()} is a no-op.
   */
  @Override
  public void release(Result result) {
    for (INDArray g : result.gradients().values()) {
      if (g != null && g.closeable() && !g.wasClosed()) g.close();
    }
  }
}
