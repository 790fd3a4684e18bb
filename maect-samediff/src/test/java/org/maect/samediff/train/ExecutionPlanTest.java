package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.mae.MaeModel;
import org.maect.samediff.mae.RandomMasking;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * {@link ExecutionPlan} replays against SameDiff's session (the reference: {@code calculateGradientsAndOutputs},
 * stock, a fresh array per op): the MAE graph in DOUBLE over several steps with new inputs, in-place parameter
 * updates, a parameter whose array is replaced, a batch-size change and back, and the returned arrays closed by
 * the caller between steps.
 */
class ExecutionPlanTest {

  private static final MaeConfig CONFIG =
      new MaeConfig(new ViTConfig(8, 2, 2, 16, 2, 2, 4.0), 8, 1, 2, 0.75, true);

  private MaeModel model;

  @AfterEach
  void forgetPlans() {
    if (model != null) {
      SameDiff fn = model.sameDiff().getFunction("grad");
      if (fn != null) ExecutionPlans.forget(fn);
    }
  }

  private MaeModel.Inputs inputs(int batch, SplittableRandom rng) {
    float[] images = new float[batch * 2 * 8 * 8];
    for (int i = 0; i < images.length; i++) images[i] = (float) rng.nextGaussian();
    return model.inputs(images, batch, RandomMasking.sample(batch, CONFIG.encoder().numPatches(),
        CONFIG.numKeep(), rng));
  }

  /** The model's gradient function (created if needed). */
  private SameDiff gradientFunction() {
    GradFunction.ensure(model.sameDiff());
    return model.sameDiff().getFunction("grad");
  }

  /** The loss and the gradient variables of every parameter: what a training pass requests. */
  private List<String> lossAndGradientNames(SameDiff sd) {
    List<String> names = new ArrayList<>(List.of(MaeModel.LOSS));
    for (String n : model.parameterNames()) names.add(sd.getVariable(n).getGradient().name());
    return names;
  }

  private static void assertSame(OutAndGrad replayed, OutAndGrad stock, List<String> names, String what) {
    assertThat(replayed.getOutputs().get(MaeModel.LOSS).getDouble(0)).as(what + " loss")
        .isEqualTo(stock.getOutputs().get(MaeModel.LOSS).getDouble(0));
    assertThat(replayed.getGradients().keySet()).containsExactlyInAnyOrderElementsOf(names);
    for (String n : names) {
      INDArray a = replayed.getGradients().get(n);
      INDArray b = stock.getGradients().get(n);
      assertThat(a.shape()).as(n).isEqualTo(b.shape());
      assertThat(a.sub(b).amaxNumber().doubleValue()).as("%s %s", what, n)
          .isLessThanOrEqualTo(1e-12 * Math.max(1, b.amaxNumber().doubleValue()));
    }
  }

  @Test
  void replaysMatchTheSessionAcrossUpdatesReplacedArraysAndBatchSizes() {
    model = new MaeModel(CONFIG, DataType.DOUBLE, 3);
    SameDiff sd = model.sameDiff();
    List<String> names = model.parameterNames();
    SplittableRandom rng = new SplittableRandom(11);
    int[] batches = {3, 3, 3, 5, 5, 3};
    for (int step = 0; step < batches.length; step++) {
      MaeModel.Inputs in = inputs(batches[step], rng);
      OutAndGrad replayed = ReusingGradients.calculate(sd, in.placeholders(), List.of(MaeModel.LOSS), names);
      OutAndGrad stock = sd.calculateGradientsAndOutputs(in.placeholders(), List.of(MaeModel.LOSS), names);
      assertSame(replayed, stock, names, "step " + step + " (batch " + batches[step] + ")");
      Map<String, INDArray> params = model.parameters();
      for (String n : names) params.get(n).subi(stock.getGradients().get(n).mul(0.1));
      if (step == 1) {
        // a checkpoint load / EMA copy may give a parameter a new array: the replay must read the new one
        String n = names.get(names.size() / 2);
        sd.getVariable(n).setArray(params.get(n).mul(1.5));
      }
      for (INDArray g : replayed.getGradients().values()) {
        if (g.closeable()) g.close(); // the caller owns the returned arrays
      }
      for (INDArray o : replayed.getOutputs().values()) {
        if (o.closeable()) o.close();
      }
    }
  }

  @Test
  void planSharesBuffersRecomputesItsOutputsAndNotifiesListenersOfEveryRecordedOp() {
    model = new MaeModel(CONFIG, DataType.DOUBLE, 5);
    SameDiff fn = gradientFunction();
    List<String> names = lossAndGradientNames(model.sameDiff());
    SplittableRandom rng = new SplittableRandom(2);
    Map<String, INDArray> ph = inputs(4, rng).placeholders();

    List<String> seen = new ArrayList<>();
    BaseListener spy = new BaseListener() {
      @Override
      public boolean isActive(Operation operation) {
        return true;
      }

      @Override
      public void opExecution(SameDiff s, At at, MultiDataSet b, SameDiffOp op, OpContext ctx, INDArray[] outs) {
        seen.add(op.getName() + ":" + outs.length);
      }
    };
    fn.setListeners(spy);
    ExecutionPlan.Recording rec = ExecutionPlan.record(fn, ph, names);
    assertThat(rec.unsupported()).isNull();
    List<String> recorded = new ArrayList<>(seen);
    // the recorded pass's outputs are the plan's own arrays: copy them before any replay overwrites them
    Map<String, INDArray> first = new java.util.HashMap<>();
    rec.outputs().forEach((n, a) -> first.put(n, a.dup()));
    seen.clear();
    try (ExecutionPlan plan = rec.plan()) {
      double otherLoss = plan.run(inputs(4, new SplittableRandom(3)).placeholders()).get(MaeModel.LOSS).getDouble(0);
      assertThat(otherLoss).as("a replay with other inputs").isNotEqualTo(first.get(MaeModel.LOSS).getDouble(0));
      Map<String, INDArray> again = plan.run(ph);
      assertThat(seen).hasSize(2 * recorded.size());
      assertThat(seen.subList(0, recorded.size())).isEqualTo(recorded);
      assertThat(seen.subList(recorded.size(), seen.size())).isEqualTo(recorded);
      assertThat(plan.numOps()).isEqualTo(recorded.size());
      // lifetimes that do not overlap share buffers
      assertThat(plan.numBuffers()).isLessThan(plan.numSlots() / 2);
      for (String n : names) {
        INDArray b = first.get(n);
        assertThat(again.get(n).sub(b).amaxNumber().doubleValue()).as(n)
            .isLessThanOrEqualTo(1e-12 * Math.max(1, b.amaxNumber().doubleValue()));
      }
      // the outputs are the plan's arrays: a caller's close() must not free them for the next replay
      again.values().forEach(INDArray::close);
      Map<String, INDArray> third = plan.run(ph);
      for (String n : names) {
        assertThat(third.get(n)).isSameAs(again.get(n));
        assertThat(third.get(n).wasClosed()).isFalse();
        assertThat(third.get(n).sub(first.get(n)).amaxNumber().doubleValue()).as(n)
            .isLessThanOrEqualTo(1e-12 * Math.max(1, first.get(n).amaxNumber().doubleValue()));
      }
    } finally {
      fn.setListeners();
    }
  }

  @Test
  void tracedRecordingRunsTheSessionsOpsWithTheSameResults() {
    model = new MaeModel(CONFIG, DataType.DOUBLE, 13);
    SameDiff fn = gradientFunction();
    List<String> names = lossAndGradientNames(model.sameDiff());
    Map<String, INDArray> ph = inputs(3, new SplittableRandom(21)).placeholders();
    List<String> traced = new ArrayList<>();
    List<String> session = new ArrayList<>();
    List<String>[] sink = new List[] {traced};
    fn.setListeners(new BaseListener() {
      @Override
      public boolean isActive(Operation operation) {
        return true;
      }

      @Override
      public void opExecution(SameDiff s, At at, MultiDataSet b, SameDiffOp op, OpContext ctx, INDArray[] outs) {
        sink[0].add(op.getName());
      }
    });
    try {
      ExecutionPlan.Recording t = ExecutionPlan.record(fn, ph, names); // traced (no session)
      sink[0] = session;
      ExecutionPlan.Recording r = ExecutionPlan.recordInSession(fn, ph, names);
      assertThat(t.plan()).isNotNull();
      assertThat(traced).containsExactlyInAnyOrderElementsOf(session); // same ops, each once
      for (String n : names) {
        INDArray a = t.outputs().get(n);
        INDArray b = r.outputs().get(n);
        assertThat(a.sub(b).amaxNumber().doubleValue()).as(n)
            .isLessThanOrEqualTo(1e-12 * Math.max(1, b.amaxNumber().doubleValue()));
      }
      t.plan().close();
      r.plan().close();
    } finally {
      fn.setListeners();
    }
  }

  @Test
  void floatReplayWithItsKernelsMatchesTheSession() {
    model = new MaeModel(CONFIG, DataType.FLOAT, 9);
    SameDiff fn = gradientFunction();
    List<String> names = lossAndGradientNames(model.sameDiff());
    Map<String, INDArray> ph = inputs(6, new SplittableRandom(8)).placeholders();
    ExecutionPlan.Recording rec = ExecutionPlan.recordInSession(fn, ph, names);
    try (ExecutionPlan plan = rec.plan()) {
      // the GELU's erf and its derivative's exp (with the Vector API), every bias gradient (column sums)
      assertThat(plan.kernels()).containsKey("column-sum GEMM");
      if (PlanKernels.vectorAvailable()) {
        assertThat(plan.kernels()).containsKeys("erf (Vector API)", "exp (Vector API)");
      }
      Map<String, INDArray> replayed = plan.run(ph);
      for (String n : names) {
        INDArray a = replayed.get(n);
        INDArray b = rec.outputs().get(n);
        double scale = b.amaxNumber().doubleValue();
        assertThat(a.sub(b).amaxNumber().doubleValue()).as(n).isLessThanOrEqualTo(1e-4 * scale + 1e-6);
      }
    }
  }

  @Test
  void aReplayFedOtherShapesSaysSoInsteadOfComputingGarbage() {
    model = new MaeModel(CONFIG, DataType.DOUBLE, 17);
    SameDiff fn = gradientFunction();
    List<String> names = lossAndGradientNames(model.sameDiff());
    Map<String, INDArray> ph = inputs(3, new SplittableRandom(1)).placeholders();
    ExecutionPlan.Recording rec = ExecutionPlan.record(fn, ph, names);
    try (ExecutionPlan plan = rec.plan()) {
      Map<String, INDArray> bigger = inputs(5, new SplittableRandom(2)).placeholders();
      assertThatThrownBy(() -> plan.run(bigger)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the plan was recorded with");
    }
  }

  @Test
  void aPlaceholderOfAnotherTypeIsLeftToTheSession() {
    model = new MaeModel(CONFIG, DataType.DOUBLE, 5);
    SameDiff sd = model.sameDiff();
    Map<String, INDArray> ph = new HashMap<>(inputs(2, new SplittableRandom(4)).placeholders());
    ph.put(MaeModel.IMAGES, ph.get(MaeModel.IMAGES).castTo(DataType.FLOAT)); // the session casts it
    ExecutionPlan.Recording rec = ExecutionPlan.record(sd, ph, List.of(MaeModel.LOSS));
    assertThat(rec.plan()).isNull();
    assertThat(rec.unsupported()).contains("placeholder 'images'").contains("FLOAT");
    assertThat(rec.outputs().get(MaeModel.LOSS).getDouble(0)).isFinite();
  }
}
