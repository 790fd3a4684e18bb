package org.maect.samediff.mae;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole masked autoencoder as one SameDiff graph ({@code MaskedAutoencoderViT.forward}).
 *
 * <p>Placeholders: {@value #IMAGES} {@code [B, C, H, W]}, {@value #KEEP} {@code [B, K, L]} (one-hot of
 * ids_keep, {@link RandomMasking#keepOneHot}), {@value #TARGET} {@code [B, L, P]} (from
 * {@link Patchify#target}). Outputs: {@value #LATENT} {@code [B, 1+K, D]}, {@value #PRED}
 * {@code [B, L, P]}, {@value #LOSS} (scalar). Parameters are named by their timm / MAE keys.
 */
public final class MaeModel {
  public static final String IMAGES = "images";
  public static final String KEEP = "keep";
  public static final String TARGET = "target";
  public static final String LATENT = "tokens";
  public static final String PRED = "pred";
  public static final String LOSS = "loss";

  private final MaeConfig cfg;
  private final DataType dataType;
  private final SameDiff sd;
  private final List<String> parameterNames;

  /** Builds the graph with MAE's initialisation from {@code seed}. */
  public MaeModel(MaeConfig cfg, DataType dataType, long seed) {
    this.cfg = cfg;
    this.dataType = dataType;
    this.sd = SameDiff.create();
    ViTConfig e = cfg.encoder();
    int l = e.numPatches();
    Params p = new Params(sd, dataType, seed);
    SDVariable images = sd.placeHolder(IMAGES, dataType, -1, e.inChannels(), e.imageSize(), e.imageSize());
    SDVariable keep = sd.placeHolder(KEEP, dataType, -1, cfg.numKeep(), l);
    SDVariable target = sd.placeHolder(TARGET, dataType, -1, l, e.patchDim());
    VitEncoder enc = VitEncoder.build(p, e, images, keep, "");
    SDVariable pred = sd.identity(PRED, MaeDecoder.build(p, cfg, enc.tokens(), keep));
    SDVariable loss = NormPixLoss.apply(
        sd, LOSS, pred, target, PerSampleGather.removedColumn(keep), e.patchDim());
    loss.markAsLoss();
    List<String> names = new ArrayList<>(VitEncoder.parameterNames(e));
    names.addAll(MaeDecoder.parameterNames(cfg));
    for (String n : names) {
      if (!sd.hasVariable(n)) throw new IllegalStateException("graph lacks parameter " + n);
    }
    this.parameterNames = List.copyOf(names);
  }

  public SameDiff sameDiff() {
    return sd;
  }

  public MaeConfig config() {
    return cfg;
  }

  public DataType dataType() {
    return dataType;
  }

  /** Trainable parameter names (timm keys), encoder first. */
  public List<String> parameterNames() {
    return parameterNames;
  }

  /** Parameter arrays by name (live references, not copies). */
  public Map<String, INDArray> parameters() {
    Map<String, INDArray> m = new java.util.LinkedHashMap<>();
    for (String n : parameterNames) m.put(n, sd.getArrForVarName(n));
    return m;
  }

  /** One prepared batch: the placeholders plus the masking and the target statistics. */
  public record Inputs(Map<String, INDArray> placeholders, RandomMasking masking, Patchify.Target target) {}

  /**
   * Prepares the placeholders.
   *
   * @param images NCHW {@code [B*C*H*W]}, already normalised as the encoder expects
   */
  public Inputs inputs(float[] images, int batch, RandomMasking masking) {
    ViTConfig e = cfg.encoder();
    int l = e.numPatches();
    if (images.length != batch * e.inChannels() * e.imageSize() * e.imageSize()) {
      throw new IllegalArgumentException("images length " + images.length + " != B*C*H*W for B=" + batch
          + " and " + e.inChannels() + "x" + e.imageSize() + "x" + e.imageSize());
    }
    if (masking.batch() != batch || masking.numKeep() != cfg.numKeep() || masking.numPatches() != l) {
      throw new IllegalArgumentException("masking does not match batch " + batch + " / config");
    }
    Patchify.Target t = Patchify.target(images, batch, cfg);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(IMAGES, Nd4j.create(images, new long[] {batch, e.inChannels(), e.imageSize(), e.imageSize()}, 'c')
        .castTo(dataType));
    ph.put(KEEP, masking.keepOneHot(dataType));
    ph.put(TARGET, Nd4j.create(t.values(), new long[] {batch, l, e.patchDim()}, 'c').castTo(dataType));
    return new Inputs(ph, masking, t);
  }

  /** Loss and gradients of all trainable parameters. */
  public record StepResult(double loss, Map<String, INDArray> gradients) {}

  public StepResult lossAndGradients(Inputs in) {
    List<String> trainable = new ArrayList<>();
    for (String n : parameterNames) {
      if (sd.getVariable(n).getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        trainable.add(n);
      }
    }
    OutAndGrad r = org.maect.samediff.train.ReusingGradients.calculate(sd, in.placeholders(), List.of(LOSS), trainable);
    return new StepResult(r.getOutputs().get(LOSS).getDouble(0), r.getGradients());
  }

  /** Forward only: the requested outputs ({@link #LOSS}, {@link #PRED}, {@link #LATENT}). */
  public Map<String, INDArray> forward(Inputs in, String... outputs) {
    org.maect.samediff.train.COrderArrayCache.install(sd);
    return sd.output(in.placeholders(), outputs);
  }
}
