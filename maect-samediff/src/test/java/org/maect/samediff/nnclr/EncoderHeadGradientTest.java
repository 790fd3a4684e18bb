package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NNCLR loss differentiated through pooling into the (upper, unfrozen) encoder, in DOUBLE.
 *
 * <p>With CLS pooling and these weights, one prediction row is exactly zero (all 7 predictor hidden units of
 * that sample negative after BatchNorm): the case that gave NaN gradients before {@link NnclrLoss#normalize}.
 */
class EncoderHeadGradientTest {

  @ParameterizedTest
  @EnumSource(value = NnclrHeadConfig.Pooling.class, names = {"MEAN_PATCH", "CLS"})
  void encoderGradientsThroughPoolingMatchFiniteDifferences(NnclrHeadConfig.Pooling pooling) {
    ViTConfig vit = new ViTConfig(8, 4, 1, 8, 2, 2, 2.0);
    NnclrHeadConfig hc = new NnclrHeadConfig(pooling, 6, 7, 4, 16, 0.2, 0.9, 1e-5, 0.1);
    SameDiff init = SameDiff.create();
    VitEncoder.build(new Params(init, DataType.DOUBLE, 2), vit,
        init.placeHolder("x", DataType.DOUBLE, -1, 1, 8, 8), null, "");
    Map<String, INDArray> enc = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) enc.put(n, init.getVariable(n).getArr());
    SplittableRandom rng = new SplittableRandom(4);
    Map<String, INDArray> head = new LinkedHashMap<>();
    head.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, vit.dim(), hc, DataType.DOUBLE, rng));
    head.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, hc, DataType.DOUBLE, rng));
    NnclrModel m = NnclrModel.onEncoder(vit, hc, DataType.DOUBLE, enc, head, false, 1, 0);
    int b = 3;
    double[] img = new double[2 * b * 64];
    for (int i = 0; i < img.length; i++) img[i] = rng.nextDouble() * 2 - 1;
    double[] nn = new double[2 * b * 4];
    for (int i = 0; i < nn.length; i++) nn[i] = rng.nextDouble() * 2 - 1;
    INDArray pos = Nd4j.create(nn, new long[] {2 * b, 4}, DataType.DOUBLE);
    for (int r = 0; r < 2 * b; r++) pos.getRow(r).divi(pos.getRow(r).norm2Number());
    Map<String, INDArray> ph = Map.of(NnclrModel.IMAGES, Nd4j.create(img, new long[] {2 * b, 1, 8, 8},
        DataType.DOUBLE), NnclrModel.POSITIVES, pos);
    assertThat(m.trainable()).containsKey("blocks.1.attn.qkv.weight").doesNotContainKey("blocks.0.attn.qkv.weight");
    INDArray pred = m.sameDiff().output(ph, NnclrModel.PREDICTED).get(NnclrModel.PREDICTED);
    long zeroRows = java.util.stream.IntStream.range(0, 2 * b).filter(r -> pred.getRow(r).norm2Number()
        .doubleValue() == 0).count();
    // with these seeds CLS pooling gives one exactly-zero prediction row (the former NaN case), mean pooling none
    assertThat(zeroRows).isEqualTo(pooling == NnclrHeadConfig.Pooling.CLS ? 1 : 0);
    int checked = FiniteDifferences.check(m.sameDiff(), NnclrModel.LOSS, ph, 3, 9);
    assertThat(checked).isEqualTo(3 * m.trainable().size());
  }
}
