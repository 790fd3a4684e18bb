package org.maect.samediff.nnclr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One NNCLR training step on an {@link NnclrModel}, split around the optimiser update.
 *
 * <p>{@link #forwardBackward}, one forward + backward pass of the graph: (1) when the pass has computed the query
 * projections (target projector during tuning, the online projector in head initialisation), a listener
 * L2-normalises them and (2) per view, looks up the top-k neighbour in the queue as it was before this step (own
 * sample at similarity -1), or, with {@code nnLookup} off (ablation), takes the projection itself, and writes
 * them into the positives placeholder array (stop-gradient); (3) the loss, which the graph orders after the query
 * ({@link NnclrModel#afterQuery}), and the backward follow in the same pass. {@link #afterUpdate} (after the
 * optimiser step): BatchNorm running statistics (torch update, once per view), target projector EMA (parameters
 * blended, buffers copied) and enqueue of view 0's normalised query projections with their ids and labels.
 *
 * <p>Until session 2 the step ran a query forward, then the forward + backward: the encoder forward twice per step
 * (docs/PERFORMANCE.md).
 */
public final class NnclrStep {

  /** What a forward/backward gave. */
  public record Output(
      double loss, Map<String, INDArray> gradients, double nnAccuracy, int[] indices0, int[] indices1) {}

  private final NnclrModel model;
  private final NnQueue queue;
  private final int topK;
  private final boolean nnLookup;
  private final double targetFactor;
  private final List<String> trainable;
  private final List<String> statOutputs = new ArrayList<>();
  private final boolean onePass;
  private final Injector injector = new Injector();
  private Pending pending;

  private record Pending(float[] query0, long[] ids, int[] labels, int batch, Map<String, INDArray> stats) {}

  /**
   * @param topK neighbour candidates (1 in stage 2, 20 in the paper's tuning)
   * @param nnLookup false: SimCLR-style positive (the other view's own projection), ablation
   * @param targetFactor EMA factor of the target projector (ignored without one)
   */
  public NnclrStep(NnclrModel model, NnQueue queue, int topK, boolean nnLookup, double targetFactor) {
    this(model, queue, topK, nnLookup, targetFactor, true);
  }

  /**
   * @param onePass true: neighbours looked up inside the gradient pass (a listener, see {@link #forwardBackward});
   *     false: a query forward first, then the forward + backward (the reference the one-pass step is tested against)
   */
  NnclrStep(NnclrModel model, NnQueue queue, int topK, boolean nnLookup, double targetFactor, boolean onePass) {
    this.onePass = onePass;
    this.model = model;
    this.queue = queue;
    this.topK = topK;
    this.nnLookup = nnLookup;
    this.targetFactor = targetFactor;
    if (queue.dim() != model.config().outputDim()) {
      throw new IllegalArgumentException("queue width " + queue.dim() + " != head output " + model.config().outputDim());
    }
    this.trainable = new ArrayList<>(model.trainable().keySet());
    for (ComposedBatchNorm.Layer l : model.onlineNorms()) {
      statOutputs.add(l.batchMean().name());
      statOutputs.add(l.batchVar().name());
    }
    if (onePass) model.sameDiff().addListeners(injector);
  }

  public NnQueue queue() {
    return queue;
  }

  public NnclrModel model() {
    return model;
  }

  /** Names of the variables that get gradients. */
  public List<String> trainable() {
    return List.copyOf(trainable);
  }

  /**
   * Loss and gradients for one batch of two views.
   *
   * @param inputs {@link NnclrModel#POOLED} or {@link NnclrModel#IMAGES} (+ {@link NnclrModel#KEEP}), view-major
   * @param batch B, images per view
   * @param ids {@code [B]} sample ids (self-exclusion in the queue)
   * @param labels {@code [B]} labels, only for the logged neighbour agreement
   * @param dice0 per-row choice among the top k for view 0 ({@code [B]}, values in {@code [0, k)})
   * @param dice1 the same for view 1
   */
  public Output forwardBackward(
      Map<String, INDArray> inputs, int batch, long[] ids, int[] labels, int[] dice0, int[] dice1) {
    if (pending != null) throw new IllegalStateException("afterUpdate() was not called after the last step");
    int o = queue.dim();
    Map<String, INDArray> ph = new HashMap<>(inputs);
    Lookup found;
    OutAndGrad og;
    List<String> outs = new ArrayList<>(statOutputs);
    outs.add(NnclrModel.LOSS);
    if (onePass) {
      // the listener fills the positives when the pass has computed the query (the loss waits for it)
      INDArray positives = Nd4j.create(model.dataType(), 2L * batch, o);
      ph.put(NnclrModel.POSITIVES, positives);
      injector.arm(positives, batch, ids, labels, dice0, dice1);
      try {
        og = org.maect.samediff.train.ReusingGradients.calculate(model.sameDiff(), ph, outs, trainable);
      } finally {
        found = injector.disarm();
      }
      if (found == null) {
        throw new IllegalStateException("the gradient pass did not compute the query output " + model.queryOutput());
      }
      positives.close(); // created here for this pass only
    } else {
      String q = model.queryOutput();
      INDArray query = org.maect.samediff.train.ReusingGradients.output(model.sameDiff(), inputs, q).get(q);
      found = lookup(NnQueue.toFloats(query), batch, ids, labels, dice0, dice1);
      if (query.closeable()) query.close(); // a fresh output array: free it now rather than at a later GC
      INDArray positives = Nd4j.create(found.positives(), new long[] {2L * batch, o}).castTo(model.dataType());
      ph.put(NnclrModel.POSITIVES, positives);
      og = org.maect.samediff.train.ReusingGradients.calculate(model.sameDiff(), ph, outs, trainable);
      if (positives.closeable()) positives.close();
    }
    Map<String, INDArray> stats = new LinkedHashMap<>();
    for (String s : statOutputs) stats.put(s, og.getOutputs().get(s));
    pending = new Pending(found.query0(), ids.clone(), labels.clone(), batch, stats);
    double loss = og.getOutputs().get(NnclrModel.LOSS).getDouble(0);
    return new Output(loss, og.getGradients(), found.accuracy(), found.indices0(), found.indices1());
  }

  /**
   * What the query projections of a step gave: view 0's normalised queries (enqueued after the update), the
   * positives {@code [2B, O]} in the loss's row order, the chosen queue positions and the label agreement.
   */
  private record Lookup(float[] query0, float[] positives, int[] indices0, int[] indices1, double accuracy) {}

  /**
   * Normalises the query projections {@code [2B, O]} and picks the positives: per view, the top-k neighbour in
   * the queue as it was before this step (or, with {@code nnLookup} off, the projection itself).
   */
  private Lookup lookup(float[] qf, int batch, long[] ids, int[] labels, int[] dice0, int[] dice1) {
    int o = queue.dim();
    if (qf.length != 2 * batch * o) {
      throw new IllegalArgumentException("query has " + qf.length / o + " rows, expected 2 x " + batch);
    }
    NnQueue.l2NormalizeRows(qf, 2 * batch, o);
    float[] q0 = java.util.Arrays.copyOfRange(qf, 0, batch * o);
    float[] nn;
    int[] idx0 = null;
    int[] idx1 = null;
    double acc;
    if (nnLookup) {
      // both views in one lookup (one GEMM): rows of view 1 after those of view 0, with the same ids
      long[] ids2 = java.util.Arrays.copyOf(ids, 2 * batch);
      System.arraycopy(ids, 0, ids2, batch, batch);
      int[] dice2 = java.util.Arrays.copyOf(dice0, 2 * batch);
      System.arraycopy(dice1, 0, dice2, batch, batch);
      NnQueue.Lookup l = queue.lookup(qf, 2 * batch, ids2, topK, dice2);
      nn = l.neighbours();
      idx0 = java.util.Arrays.copyOfRange(l.indices(), 0, batch);
      idx1 = java.util.Arrays.copyOfRange(l.indices(), batch, 2 * batch);
      acc = queue.labelAgreement(idx0, labels);
    } else {
      nn = qf.clone();
      acc = queue.labelAgreement(TopKNeighbourSampler.topK(queue.similarities(q0, batch, ids), batch,
          queue.size(), 1), labels);
    }
    return new Lookup(q0, NnclrLoss.pairWithOtherView(nn), idx0, idx1, acc);
  }

  /**
   * Listener of the gradient pass: when the op producing the query output has run, looks the neighbours up and
   * writes the positives into the (placeholder) array the loss reads; {@link NnclrModel#afterQuery} orders the
   * loss after the query. Inactive unless armed, so other passes over the graph are unaffected.
   */
  private final class Injector extends BaseListener {
    private INDArray positives;
    private int batch;
    private long[] ids;
    private int[] labels;
    private int[] dice0;
    private int[] dice1;
    private Lookup found;
    private boolean armed;

    void arm(INDArray positives, int batch, long[] ids, int[] labels, int[] dice0, int[] dice1) {
      this.positives = positives;
      this.batch = batch;
      this.ids = ids;
      this.labels = labels;
      this.dice0 = dice0;
      this.dice1 = dice1;
      this.found = null;
      this.armed = true;
    }

    Lookup disarm() {
      armed = false;
      positives = null;
      return found;
    }

    @Override
    public boolean isActive(Operation operation) {
      return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batchData, SameDiffOp op, OpContext ctx,
        INDArray[] outputs) {
      if (!armed || found != null) return;
      int i = op.getOutputsOfOp().indexOf(model.queryOutput());
      if (i < 0) return;
      found = lookup(NnQueue.toFloats(outputs[i]), batch, ids, labels, dice0, dice1);
      positives.assign(Nd4j.create(found.positives(), positives.shape()).castTo(positives.dataType()));
    }
  }

  /** Running statistics, target EMA and queue update; call after the optimiser step. */
  public void afterUpdate() {
    if (pending == null) throw new IllegalStateException("afterUpdate() without forwardBackward()");
    Map<String, INDArray> buffers = model.buffers();
    double momentum = model.config().bnMomentum();
    for (ComposedBatchNorm.Layer l : model.onlineNorms()) {
      INDArray rm = buffers.get(l.name() + ".running_mean");
      INDArray rv = buffers.get(l.name() + ".running_var");
      if (rm == null || rv == null) throw new IllegalStateException("No running buffers for " + l.name());
      ComposedBatchNorm.updateRunningStats(rm, rv, pending.stats.get(l.batchMean().name()),
          pending.stats.get(l.batchVar().name()), pending.batch, momentum);
    }
    if (model.hasTarget()) updateTarget();
    queue.enqueue(pending.query0, pending.batch, pending.ids, pending.labels);
    pending = null;
  }

  /** {@code target = f * target + (1 - f) * online} for parameters; running buffers copied. */
  private void updateTarget() {
    Map<String, INDArray> online = model.trainable();
    Map<String, INDArray> constants = model.constants();
    String prefix = NnclrHead.PROJECTOR + ".";
    for (Map.Entry<String, INDArray> e : online.entrySet()) {
      if (!e.getKey().startsWith(prefix)) continue;
      String t = NnclrHead.TARGET_PROJECTOR + "." + e.getKey().substring(prefix.length());
      INDArray target = constants.get(t);
      if (target == null) throw new IllegalStateException("No target array " + t);
      target.muli(targetFactor).addi(e.getValue().mul(1 - targetFactor));
    }
    Map<String, INDArray> buffers = model.buffers();
    for (Map.Entry<String, INDArray> e : new ArrayList<>(buffers.entrySet())) {
      if (!e.getKey().startsWith(prefix)) continue;
      String t = NnclrHead.TARGET_PROJECTOR + "." + e.getKey().substring(prefix.length());
      INDArray target = buffers.get(t);
      if (target == null) throw new IllegalStateException("No target buffer " + t);
      target.assign(e.getValue());
    }
  }
}
