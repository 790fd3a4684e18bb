package org.maect.samediff.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maect.samediff.mae.Close.assertClose;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.Pooling;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The SameDiff MAE against the PyTorch reference of tools/golden/mae_reference.py (float64, same
 * weights, images and masking noise). DOUBLE graphs: encoder output and prediction to rtol 1e-8 (only
 * summation order differs), loss to 1e-5 and gradients to 1e-4 relative (the norm-pix target is made on the
 * host from float32 pixels). FLOAT graphs: rtol 1e-4 forward, 1e-3 for gradients (float32 rounding through
 * 3 blocks and the loss).
 */
class MaeGoldenTest {
  static final MaeConfig CONFIG = new MaeConfig(new ViTConfig(8, 2, 2, 16, 2, 2, 4.0), 8, 1, 2, 0.75, true);

  static MaeModel loadModel(DataType type) {
    MaeModel m = new MaeModel(CONFIG, type, 0);
    for (String n : m.parameterNames()) {
      INDArray want = Fixtures.load("param/" + n).castTo(type);
      INDArray have = m.sameDiff().getArrForVarName(n);
      assertThat(have.shape()).as(n).isEqualTo(want.shape());
      have.assign(want);
    }
    return m;
  }

  static MaeModel.Inputs inputs(MaeModel m) {
    INDArray images = Fixtures.load("input/images");
    double[][] noise = Fixtures.matrix("input/noise");
    RandomMasking masking = RandomMasking.fromNoise(noise, CONFIG.numKeep());
    float[] img = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    return m.inputs(img, (int) images.size(0), masking);
  }

  @Test
  void maskFromNoiseMatchesTorchArgsort() {
    RandomMasking masking = RandomMasking.fromNoise(Fixtures.matrix("input/noise"), CONFIG.numKeep());
    double[][] want = Fixtures.matrix("out/mask");
    float[][] got = masking.mask();
    for (int b = 0; b < want.length; b++) {
      for (int l = 0; l < want[b].length; l++) assertThat((double) got[b][l]).isEqualTo(want[b][l]);
    }
  }

  @Test
  void sinCosTableMatchesMae() {
    assertClose("pos_embed", VitEncoder.posEmbed(CONFIG.encoder(), DataType.DOUBLE),
        Fixtures.load("pos_embed"), 1e-12, 1e-12);
  }

  @Test
  void doubleGraphEqualsPytorchForwardAndGradients() {
    check(DataType.DOUBLE, 1e-8, 1e-10, 1e-7, 1e-10);
  }

  @Test
  void floatGraphEqualsPytorchWithinFloatTolerance() {
    check(DataType.FLOAT, 1e-4, 1e-5, 1e-3, 1e-5);
  }

  private void check(DataType type, double rtol, double atol, double gradRtol, double gradAtol) {
    MaeModel m = loadModel(type);
    MaeModel.Inputs in = inputs(m);
    // images were rounded to float for the host-side target; use the double images for the DOUBLE graph
    if (type == DataType.DOUBLE) in.placeholders().put(MaeModel.IMAGES, Fixtures.load("input/images"));
    Map<String, INDArray> out = m.forward(in, MaeModel.LATENT, MaeModel.PRED, MaeModel.LOSS);
    // the norm-pix target is computed on the host from float32 pixels: loss and gradients agree to ~1e-6
    double fRtol = type == DataType.DOUBLE ? 1e-5 : rtol;
    assertClose("latent", out.get(MaeModel.LATENT), Fixtures.load("out/latent"), rtol, atol);
    assertClose("pred", out.get(MaeModel.PRED), Fixtures.load("out/pred"), rtol, atol);
    assertClose("loss", out.get(MaeModel.LOSS).reshape(1), Fixtures.load("out/loss"), fRtol, 1e-6);
    MaeModel.StepResult r = m.lossAndGradients(in);
    assertThat(r.loss()).isCloseTo(Fixtures.load("out/loss").getDouble(0), org.assertj.core.data.Offset.offset(1e-4));
    for (String n : List.of("patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token",
        "blocks.0.attn.qkv.weight", "blocks.1.attn.proj.bias", "blocks.0.norm1.weight", "blocks.1.mlp.fc1.weight",
        "norm.weight", "norm.bias", "decoder_embed.weight", "mask_token",
        "decoder_blocks.0.norm2.bias", "decoder_blocks.0.mlp.fc2.weight", "decoder_pred.weight",
        "decoder_pred.bias")) {
      double gr = type == DataType.DOUBLE ? 1e-4 : gradRtol;
      assertClose("grad " + n, r.gradients().get(n), Fixtures.load("grad/" + n), gr, Math.max(gradAtol, 1e-6));
    }
  }

  @Test
  void unmaskedEncoderPoolsLikePytorch() {
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.DOUBLE, 0);
    ViTConfig e = CONFIG.encoder();
    SDVariable img = sd.placeHolder("img", DataType.DOUBLE, -1, e.inChannels(), e.imageSize(), e.imageSize());
    VitEncoder enc = VitEncoder.build(p, e, img, null, "full/");
    SDVariable cls = enc.pooled(Pooling.CLS);
    SDVariable mean = enc.pooled(Pooling.MEAN_PATCH);
    for (String n : VitEncoder.parameterNames(e)) sd.getArrForVarName(n).assign(Fixtures.load("param/" + n));
    Map<String, INDArray> out = sd.output(Map.of("img", Fixtures.load("input/images")), cls.name(), mean.name());
    assertClose("cls", out.get(cls.name()), Fixtures.load("enc_full/pooled_cls"), 1e-8, 1e-10);
    assertClose("mean", out.get(mean.name()), Fixtures.load("enc_full/pooled_mean"), 1e-8, 1e-10);
  }
}
