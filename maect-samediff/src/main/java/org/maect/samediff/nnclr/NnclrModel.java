package org.maect.samediff.nnclr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.Pooling;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training graph of MAE-CT stages 2 and 3: (encoder ->) pooled features -> NNCLR head -> loss.
 *
 * <p>Two inputs are possible: {@link #POOLED} {@code [2B, E]} features (stage 2, where the frozen encoder runs
 * separately in inference, and golden tests) or {@link #IMAGES} {@code [2B, C, H, W]} through a ViT encoder in
 * the same graph (stage 3), optionally with {@link #KEEP} {@code [2B, K, L]} for the masking ablation. Rows
 * are view-major. The graph has:
 * <ul>
 *   <li>{@link #PROJECTED} {@code [2B, O]} online projector output and {@link #PREDICTED} {@code [2B, O]};
 *   <li>{@link #TARGET_PROJECTED} {@code [2B, O]} when an EMA target projector is present (constants);
 *   <li>{@link #LOSS}: the symmetric NNCLR loss against the {@link #POSITIVES} placeholder.
 * </ul>
 * BatchNorm running buffers are not in the graph (training mode uses batch statistics); they are kept in
 * {@link #buffers()} and updated from the batch statistics the step reads out ({@link #onlineNorms()}).
 *
 * <p>With frozen blocks the encoder is split at the frozen half ({@link #isSplit()}): the patch embedding (and
 * the {@link #KEEP} gather), CLS and the frozen blocks form a subgraph of constants ending in
 * {@link #FROZEN_OUTPUT}, and the trainable part starts from the {@link #FROZEN_TOKENS} placeholder
 * {@code [2B*(1+T), D]}, not connected to it. A step runs the frozen subgraph once ({@link #graphInputs}) and feeds
 * its token rows to the query forward and to the forward + backward, instead of running it in both passes. Both
 * subgraphs stay in one {@link SameDiff} so that all passes run in one session and share its array cache (two
 * graphs sharing one cache still allocated ~120 MB of fresh buffers per step and peaked 300 MB higher).
 * Callers pass {@link #IMAGES} (+ {@link #KEEP}) either way and turn them into the graph's inputs with
 * {@link #graphInputs}.
 */
public final class NnclrModel {

  public static final String POOLED = "pooled";
  public static final String IMAGES = "images";
  public static final String KEEP = "keep";
  public static final String POSITIVES = "positives";
  public static final String PROJECTED = "projected";
  public static final String TARGET_PROJECTED = "target_projected";
  public static final String PREDICTED = "predicted";
  public static final String LOSS = "loss";
  /** Placeholder of the trainable part when split: token rows after the frozen blocks, {@code [2B*(1+T), D]}. */
  public static final String FROZEN_TOKENS = "frozen_tokens";
  /** Output of the frozen subgraph when split (what {@link #graphInputs} feeds to {@link #FROZEN_TOKENS}). */
  public static final String FROZEN_OUTPUT = "frozen_output";

  private final SameDiff sd;
  private final NnclrHeadConfig cfg;
  private final DataType dataType;
  private final Map<String, INDArray> buffers;
  private final List<ComposedBatchNorm.Layer> onlineNorms;
  private final boolean hasTarget;
  private boolean split;

  private NnclrModel(SameDiff sd, NnclrHeadConfig cfg, DataType dataType, Map<String, INDArray> buffers,
      List<ComposedBatchNorm.Layer> onlineNorms, boolean hasTarget) {
    this.sd = sd;
    this.cfg = cfg;
    this.dataType = dataType;
    this.buffers = buffers;
    this.onlineNorms = onlineNorms;
    this.hasTarget = hasTarget;
  }

  /**
   * The head on a {@link #POOLED} placeholder.
   *
   * @param head arrays of {@code projector.*}, {@code predictor.*} and, if {@code withTarget},
   *     {@code target_projector.*} (parameters and running buffers), cast to {@code dataType}
   */
  public static NnclrModel onPooled(
      long inDim, NnclrHeadConfig cfg, DataType dataType, Map<String, INDArray> head, boolean withTarget) {
    SameDiff sd = SameDiff.create();
    SDVariable pooled = sd.placeHolder(POOLED, dataType, -1, inDim);
    return withHead(sd, pooled, cfg, dataType, head, withTarget);
  }

  /**
   * Encoder and head in one graph, the lowest {@code frozenBlocks} blocks (and the patch embedding / CLS
   * token when block 0 is frozen) as constants.
   *
   * @param encoder encoder arrays by timm key (from the previous stage)
   * @param numKeep patches kept per image when masking during tuning (ablation), 0 for no masking
   */
  public static NnclrModel onEncoder(
      ViTConfig vit,
      NnclrHeadConfig cfg,
      DataType dataType,
      Map<String, INDArray> encoder,
      Map<String, INDArray> head,
      boolean withTarget,
      int frozenBlocks,
      int numKeep) {
    return onEncoder(vit, cfg, dataType, encoder, head, withTarget, frozenBlocks, numKeep, true);
  }

  /**
   * {@link #onEncoder(ViTConfig, NnclrHeadConfig, DataType, Map, Map, boolean, int, int)} with the choice of
   * splitting at the frozen half ({@code split = false}: encoder and head in one graph, the frozen part as
   * constants in it; the reference the split graph is tested against).
   */
  static NnclrModel onEncoder(ViTConfig vit, NnclrHeadConfig cfg, DataType dataType, Map<String, INDArray> encoder,
      Map<String, INDArray> head, boolean withTarget, int frozenBlocks, int numKeep, boolean split) {
    boolean splitHere = split && frozenBlocks > 0;
    SameDiff sd = SameDiff.create();
    for (String name : VitEncoder.parameterNames(vit)) {
      INDArray a = encoder.get(name);
      if (a == null) throw new IllegalArgumentException("Encoder weights lack '" + name + "'");
      sd.var(name, a.castTo(dataType).dup());
    }
    SDVariable images = sd.placeHolder(IMAGES, dataType, -1, vit.inChannels(), vit.imageSize(), vit.imageSize());
    SDVariable keep = numKeep > 0 ? sd.placeHolder(KEEP, dataType, -1, numKeep, vit.numPatches()) : null;
    Params params = new Params(sd, dataType, 0);
    VitEncoder.Embedded e = VitEncoder.embed(params, vit, images, keep);
    SDVariable x = VitEncoder.blocks(params, vit, e.x(), e.seqLen(), 0, frozenBlocks);
    if (splitHere) {
      sd.identity(FROZEN_OUTPUT, x);
      x = sd.placeHolder(FROZEN_TOKENS, dataType, -1, vit.dim()); // (2B*(1+T), D), not connected to the above
    }
    VitEncoder enc = VitEncoder.top(params, vit, x, e.seqLen(), frozenBlocks, "");
    SDVariable pooled = sd.identity(POOLED, pool(enc.tokens(), enc.seqLen(), vit.dim(), cfg.pooling()));
    VitEncoder.freezeBlocks(sd, vit, frozenBlocks);
    NnclrModel m = withHead(sd, pooled, cfg, dataType, head, withTarget);
    m.split = splitHere;
    return m;
  }

  /**
   * The training graph's placeholders for a batch given as {@link #IMAGES} (+ {@link #KEEP}) or
   * {@link #POOLED}: the same map, or, when split, {@link #FROZEN_TOKENS} from one forward of the frozen
   * subgraph (a fresh array the caller may close after the step, see {@link #releaseGraphInputs}) in place of
   * the images. The forward runs in the session of {@link org.maect.samediff.train.ReusingGradients}, like the
   * step's other passes.
   */
  public Map<String, INDArray> graphInputs(Map<String, INDArray> inputs) {
    if (!split) return inputs;
    Map<String, INDArray> in = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
      if (!e.getKey().equals(IMAGES) && !e.getKey().equals(KEEP)) in.put(e.getKey(), e.getValue());
    }
    Map<String, INDArray> frozenIn = new LinkedHashMap<>(inputs);
    frozenIn.keySet().retainAll(List.of(IMAGES, KEEP));
    in.put(FROZEN_TOKENS,
        org.maect.samediff.train.ReusingGradients.output(sd, frozenIn, FROZEN_OUTPUT).get(FROZEN_OUTPUT));
    return in;
  }

  /** Frees what {@link #graphInputs} created (the frozen part's output), not the caller's own arrays. */
  public void releaseGraphInputs(Map<String, INDArray> graphInputs) {
    if (!split) return;
    INDArray t = graphInputs.get(FROZEN_TOKENS);
    if (t != null && t.closeable()) t.close();
  }

  /** Whether the frozen part runs once per step apart from the trainable part (there are frozen blocks). */
  public boolean isSplit() {
    return split;
  }

  /**
   * The head on {@code pooled} features already in {@code sd} (e.g. a ViT encoder's pooled output).
   */
  public static NnclrModel withHead(SameDiff sd, SDVariable pooled, NnclrHeadConfig cfg, DataType dt,
      Map<String, INDArray> head, boolean withTarget) {
    Map<String, INDArray> p = new LinkedHashMap<>();
    Map<String, INDArray> buffers = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : head.entrySet()) {
      INDArray a = e.getValue().castTo(dt).dup();
      if (NnclrHead.isBuffer(e.getKey())) buffers.put(e.getKey(), a);
      else p.put(e.getKey(), a);
    }
    List<ComposedBatchNorm.Layer> norms = new ArrayList<>();
    ComposedBatchNorm.Mode train = ComposedBatchNorm.Mode.TRAIN;
    SDVariable proj = NnclrHead.projector(sd, NnclrHead.PROJECTOR, pooled, cfg, 2, train, true, p, norms);
    sd.identity(PROJECTED, proj);
    SDVariable pred = NnclrHead.predictor(sd, NnclrHead.PREDICTOR, proj, cfg, 2, train, p, norms);
    sd.identity(PREDICTED, pred);
    SDVariable query = sd.getVariable(PROJECTED);
    if (withTarget) {
      List<ComposedBatchNorm.Layer> targetNorms = new ArrayList<>();
      SDVariable t = NnclrHead.projector(sd, NnclrHead.TARGET_PROJECTOR, pooled, cfg, 2, train, false, p,
          targetNorms);
      query = sd.identity(TARGET_PROJECTED, t);
    }
    SDVariable positives = sd.placeHolder(POSITIVES, dt, -1, cfg.outputDim());
    NnclrLoss.build(sd, LOSS, pred, afterQuery(positives, query), cfg.outputDim(), cfg.temperature());
    sd.setLossVariables(LOSS);
    return new NnclrModel(sd, cfg, dt, buffers, norms, withTarget);
  }

  /**
   * {@code positives} as the loss sees them, made to depend on the query output: {@code positives + 0}, where the
   * 0 is {@code isNaN(sum(query))} cast to the data type (exactly 0 for a finite query). The dependency orders the
   * loss after the query in a pass, so {@link NnclrStep} can write the neighbours into the positives array from a
   * listener when the query is computed, within the gradient pass (one encoder forward instead of a query forward
   * plus a forward + backward). The boolean step carries no gradient: the query side gets none from it.
   */
  static SDVariable afterQuery(SDVariable positives, SDVariable query) {
    SameDiff sd = positives.getSameDiff();
    SDVariable zero = sd.math().isNaN(query.sum()).castTo(positives.dataType()); // scalar, 0 unless NaN
    return positives.add(zero);
  }

  /**
   * Pooling {@code tokens: [B, 1+T, D] -> [B, D]} as a weighted sum over the tokens with constant weights (CLS:
   * {@code [1, 0, ...]}; mean of patches: {@code [0, 1/T, ...]}); exact (finite differences). It was introduced
   * because the CLS gradient check gave NaN with the point slice of {@code VitEncoder.pooled}; the cause was a
   * zero prediction row in the loss's normalisation ({@link NnclrLoss#normalize}), not the slice, which checks
   * out too once that is fixed.
   *
   * <p>Computed as one matmul, {@code tokens [B, (1+T)*D] @ P [(1+T)*D, D]} with the constant
   * {@code P[t*D + j, j] = w_t} (zero elsewhere): its backward is a matmul too, where the broadcast multiply by
   * {@code w [1, 1+T, 1]} it replaces had a {@code multiply_bp} of ~30 ms per cpu28 CT step (SameDiff's slow
   * broadcast backward, DESIGN.md).
   */
  static SDVariable pool(SDVariable tokens, int seqLen, int dim, NnclrHeadConfig.Pooling pooling) {
    double[] w = new double[seqLen];
    if (pooling == NnclrHeadConfig.Pooling.CLS) {
      w[0] = 1;
    } else {
      for (int i = 1; i < seqLen; i++) w[i] = 1.0 / (seqLen - 1);
    }
    double[] p = new double[seqLen * dim * dim];
    for (int t = 0; t < seqLen; t++) {
      for (int j = 0; j < dim; j++) p[(t * dim + j) * dim + j] = w[t];
    }
    SameDiff sd = tokens.getSameDiff();
    SDVariable pm = sd.constant(Nd4j.create(p, new long[] {(long) seqLen * dim, dim}, DataType.DOUBLE)
        .castTo(tokens.dataType()));
    return tokens.reshape(-1, (long) seqLen * dim).mmul(pm); // (B, 1+T, D) -> (B, (1+T)*D) @ ((1+T)*D, D)
  }

  /** The ViT pooling matching the head's pooling. */
  public static Pooling vitPooling(NnclrHeadConfig.Pooling p) {
    return p == NnclrHeadConfig.Pooling.CLS ? Pooling.CLS : Pooling.MEAN_PATCH;
  }

  /** Arrays of the named variables (trainable or frozen), e.g. the encoder's timm keys. */
  public Map<String, INDArray> arrays(List<String> names) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String n : names) {
      SDVariable v = sd.getVariable(n);
      if (v == null) throw new IllegalArgumentException("Graph has no variable '" + n + "'");
      m.put(n, v.getArr());
    }
    return m;
  }

  public SameDiff sameDiff() {
    return sd;
  }

  public NnclrHeadConfig config() {
    return cfg;
  }

  public DataType dataType() {
    return dataType;
  }

  public boolean hasTarget() {
    return hasTarget;
  }

  /** Output whose normalised rows are looked up in (and written to) the queue. */
  public String queryOutput() {
    return hasTarget ? TARGET_PROJECTED : PROJECTED;
  }

  /** BatchNorm running buffers of the online (and target) head, updated in place by the step. */
  public Map<String, INDArray> buffers() {
    return buffers;
  }

  /** The online projector's and predictor's BatchNorm layers (batch-statistic outputs). */
  public List<ComposedBatchNorm.Layer> onlineNorms() {
    return onlineNorms;
  }

  /** Arrays of the trainable variables by name. */
  public Map<String, INDArray> trainable() {
    return arrays(VariableType.VARIABLE);
  }

  /** Arrays of the constants (frozen encoder weights, target projector) by name. */
  public Map<String, INDArray> constants() {
    return arrays(VariableType.CONSTANT);
  }

  /** All head arrays (parameters of online and target head, running buffers) by state-dict name. */
  public Map<String, INDArray> headArrays() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      String n = v.name();
      boolean headName = n.startsWith(NnclrHead.PROJECTOR + ".") || n.startsWith(NnclrHead.PREDICTOR + ".")
          || n.startsWith(NnclrHead.TARGET_PROJECTOR + ".");
      if (headName && (v.getVariableType() == VariableType.VARIABLE
          || v.getVariableType() == VariableType.CONSTANT) && !n.endsWith(".batch_mean")
          && !n.endsWith(".batch_var")) {
        m.put(n, v.getArr());
      }
    }
    m.putAll(buffers);
    return m;
  }

  private Map<String, INDArray> arrays(VariableType type) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == type && v.getArr() != null) m.put(v.name(), v.getArr());
    }
    return m;
  }
}
