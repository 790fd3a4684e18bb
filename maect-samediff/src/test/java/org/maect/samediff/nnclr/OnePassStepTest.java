package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.mae.RandomMasking;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The stage-3 step in one pass (neighbours looked up by a listener inside the gradient pass) against the two-pass
 * step it replaced (a query forward, then the forward + backward), in DOUBLE on the encoder + head graph: two full
 * {@link NnclrStep}s (top-k lookup, loss, gradients, running statistics, target EMA, enqueue) for several frozen
 * depths, with and without the masking ablation's per-sample gather and the SimCLR-style ablation (no lookup). Both
 * run the same ops on the same values, so the tolerance is round-off only: {@code |a - b| <= 1e-12 + 1e-10 |b|}.
 */
class OnePassStepTest {

  static final ViTConfig VIT = new ViTConfig(8, 2, 1, 8, 4, 2, 2.0); // 16 patches, depth 4
  static final NnclrHeadConfig HEAD =
      new NnclrHeadConfig(NnclrHeadConfig.Pooling.MEAN_PATCH, 6, 7, 4, 16, 0.2, 0.9, 1e-5, 0.1);
  static final int B = 3;
  static final int TOP_K = 2;

  static Map<String, INDArray> encoder() {
    SameDiff init = SameDiff.create();
    VitEncoder.build(new Params(init, DataType.DOUBLE, 5), VIT,
        init.placeHolder("x", DataType.DOUBLE, -1, 1, 8, 8), null, "");
    Map<String, INDArray> enc = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(VIT)) enc.put(n, init.getVariable(n).getArr());
    return enc;
  }

  static Map<String, INDArray> head() {
    SplittableRandom rng = new SplittableRandom(6);
    Map<String, INDArray> head = new LinkedHashMap<>();
    head.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, VIT.dim(), HEAD, DataType.DOUBLE, rng));
    head.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, HEAD, DataType.DOUBLE, rng));
    ContrastiveTuner.addTargetCopy(head);
    return head;
  }

  static void assertClose(String what, INDArray a, INDArray b) {
    assertThat(a.shape()).as(what).isEqualTo(b.shape());
    double[] x = a.dup().data().asDouble();
    double[] y = b.dup().data().asDouble();
    for (int i = 0; i < x.length; i++) {
      assertThat(Math.abs(x[i] - y[i])).as("%s[%d]: %s vs %s", what, i, x[i], y[i])
          .isLessThanOrEqualTo(1e-12 + 1e-10 * Math.abs(y[i]));
    }
  }

  @ParameterizedTest(name = "frozen blocks {0}, kept patches {1}, NN lookup {2}")
  @CsvSource({"2, 0, true", "2, 5, true", "4, 0, true", "1, 3, true", "0, 0, true", "2, 0, false"})
  void onePassStepGivesTheTwoPassStep(int frozenBlocks, int numKeep, boolean nnLookup) {
    Map<String, INDArray> enc = encoder();
    Map<String, INDArray> head = head();
    NnclrModel twoPass = NnclrModel.onEncoder(VIT, HEAD, DataType.DOUBLE, enc, head, true, frozenBlocks, numKeep);
    NnclrModel onePass = NnclrModel.onEncoder(VIT, HEAD, DataType.DOUBLE, enc, head, true, frozenBlocks, numKeep);
    assertThat(onePass.constants().keySet()).containsAll(VitEncoder.lowerParameterNames(VIT, frozenBlocks));

    SplittableRandom rng = new SplittableRandom(11);
    double[] img = new double[2 * B * 64];
    for (int i = 0; i < img.length; i++) img[i] = rng.nextDouble() * 2 - 1;
    Map<String, INDArray> in = new LinkedHashMap<>();
    in.put(NnclrModel.IMAGES, Nd4j.create(img, new long[] {2 * B, 1, 8, 8}, DataType.DOUBLE));
    if (numKeep > 0) {
      in.put(NnclrModel.KEEP, RandomMasking.sample(2 * B, VIT.numPatches(), numKeep, rng).keepOneHot(DataType.DOUBLE));
    }
    long[] ids = {100, 101, 102};
    int[] labels = {0, 1, 0};
    int[] dice0 = TopKNeighbourSampler.dice(B, TOP_K, rng);
    int[] dice1 = TopKNeighbourSampler.dice(B, TOP_K, rng);
    NnclrStep s1 = new NnclrStep(twoPass, new NnQueue(16, 4, new SplittableRandom(3)), TOP_K, nnLookup, 0.9, false);
    NnclrStep s2 = new NnclrStep(onePass, new NnQueue(16, 4, new SplittableRandom(3)), TOP_K, nnLookup, 0.9);
    for (int step = 0; step < 2; step++) { // the second step sees the updated target projector, buffers, queue
      NnclrStep.Output o1 = s1.forwardBackward(in, B, ids, labels, dice0, dice1);
      NnclrStep.Output o2 = s2.forwardBackward(in, B, ids, labels, dice0, dice1);
      assertThat(o2.indices0()).isEqualTo(o1.indices0());
      assertThat(o2.indices1()).isEqualTo(o1.indices1());
      assertThat(o2.nnAccuracy()).isEqualTo(o1.nnAccuracy());
      assertThat(o2.loss()).isCloseTo(o1.loss(), org.assertj.core.data.Offset.offset(1e-12));
      assertThat(o2.gradients().keySet()).containsExactlyInAnyOrderElementsOf(o1.gradients().keySet())
          .containsExactlyInAnyOrderElementsOf(twoPass.trainable().keySet());
      for (String n : o1.gradients().keySet()) {
        assertClose("step " + step + " grad " + n, o2.gradients().get(n), o1.gradients().get(n));
      }
      for (Map.Entry<String, INDArray> e : onePass.trainable().entrySet()) { // the same SGD step on both
        e.getValue().subi(o2.gradients().get(e.getKey()).mul(0.5));
        twoPass.trainable().get(e.getKey()).subi(o1.gradients().get(e.getKey()).mul(0.5));
      }
      s1.afterUpdate();
      s2.afterUpdate();
      assertClose("queue after step " + step, Nd4j.create(s2.queue().vectorsCopy()),
          Nd4j.create(s1.queue().vectorsCopy()));
      Map<String, INDArray> h1 = twoPass.headArrays();
      Map<String, INDArray> h2 = onePass.headArrays();
      assertThat(h2.keySet()).containsExactlyInAnyOrderElementsOf(h1.keySet());
      for (String n : h1.keySet()) assertClose("step " + step + " head " + n, h2.get(n), h1.get(n));
    }
  }
}
