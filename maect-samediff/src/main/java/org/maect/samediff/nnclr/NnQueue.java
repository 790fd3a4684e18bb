package org.maect.samediff.nnclr;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The NNCLR support set: a FIFO ring of L2-normalised view-0 projections with their sample ids (and labels,
 * used only to log the neighbours' label agreement).
 *
 * <p>As ml-jku/MAE-CT {@code ContrastiveHeadBase}: initialised with random unit vectors, ids and labels -1;
 * a lookup scores queries against the queue by cosine similarity, gives entries of the query's own sample
 * similarity -1, and draws the neighbour among the top k ({@link TopKNeighbourSampler}). Callers look up
 * before {@link #enqueue} in a step, so lookups see the queue before the update.
 *
 * <p>Shapes: Q {@link #size()}, O {@link #dim()}, n queries.
 */
public final class NnQueue {

  private final int size;
  private final int dim;
  private final INDArray vectors; // [Q, O] float
  private final float[] host; // [Q * O] the same values on the Java heap (row gathers without JNI)
  private INDArray simBuf; // [n, Q] reused by similarities()
  private final INDArray idArr; // [Q] long
  private final INDArray labelArr; // [Q] int
  private final INDArray ptrArr; // [1] long
  private final long[] ids;
  private final int[] labels;
  private int ptr;

  /** A queue of random unit vectors (Gaussian, normalised), ids and labels -1. */
  public NnQueue(int size, int dim, SplittableRandom rng) {
    if (size < 1 || dim < 1) throw new IllegalArgumentException("Invalid queue shape " + size + " x " + dim);
    this.size = size;
    this.dim = dim;
    float[] v = new float[size * dim];
    for (int i = 0; i < v.length; i++) v[i] = (float) gaussian(rng);
    l2NormalizeRows(v, size, dim);
    this.vectors = Nd4j.create(v, new long[] {size, dim}, 'c');
    this.host = v;
    this.ids = new long[size];
    this.labels = new int[size];
    Arrays.fill(ids, -1);
    Arrays.fill(labels, -1);
    this.idArr = Nd4j.createFromArray(ids);
    this.labelArr = Nd4j.createFromArray(labels);
    this.ptrArr = Nd4j.createFromArray(new long[] {0});
  }

  /** Restores a queue (checkpoints, golden tests). Arrays are copied. */
  public NnQueue(float[] vectors, long[] ids, int[] labels, int ptr) {
    this.size = ids.length;
    if (size < 1 || vectors.length % size != 0 || labels.length != size) {
      throw new IllegalArgumentException("Inconsistent queue arrays: " + vectors.length + " values, "
          + ids.length + " ids, " + labels.length + " labels");
    }
    if (ptr < 0 || ptr >= size) throw new IllegalArgumentException("Invalid queue pointer " + ptr);
    this.dim = vectors.length / size;
    this.host = vectors.clone();
    this.vectors = Nd4j.create(host.clone(), new long[] {size, dim}, 'c');
    this.ids = ids.clone();
    this.labels = labels.clone();
    this.ptr = ptr;
    this.idArr = Nd4j.createFromArray(this.ids);
    this.labelArr = Nd4j.createFromArray(this.labels);
    this.ptrArr = Nd4j.createFromArray(new long[] {ptr});
  }

  /**
   * The live arrays to save in a checkpoint and restore in place ({@code TrainLoop.state}): {@code <prefix>vectors
   * [Q, O]}, {@code <prefix>ids [Q]}, {@code <prefix>labels [Q]}, {@code <prefix>ptr [1]}. After restoring into
   * them, call {@link #syncFromState()}.
   */
  public Map<String, INDArray> stateArrays(String prefix) {
    syncToState();
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(prefix + "vectors", vectors);
    m.put(prefix + "ids", idArr);
    m.put(prefix + "labels", labelArr);
    m.put(prefix + "ptr", ptrArr);
    return m;
  }

  /** Re-reads ids, labels and pointer from the state arrays (after a checkpoint restore). */
  public void syncFromState() {
    long[] i = idArr.toLongVector();
    int[] l = labelArr.toIntVector();
    System.arraycopy(i, 0, ids, 0, size);
    System.arraycopy(l, 0, labels, 0, size);
    int p = (int) ptrArr.getLong(0);
    if (p < 0 || p >= size) throw new IllegalStateException("Restored queue pointer " + p + " outside [0, " + size + ")");
    ptr = p;
    System.arraycopy(toFloats(vectors), 0, host, 0, host.length);
  }

  private void syncToState() {
    idArr.assign(Nd4j.createFromArray(ids));
    labelArr.assign(Nd4j.createFromArray(labels));
    ptrArr.putScalar(0, ptr);
  }

  public int size() {
    return size;
  }

  public int dim() {
    return dim;
  }

  /** Next write position. */
  public int pointer() {
    return ptr;
  }

  public float[] vectorsCopy() {
    return toFloats(vectors);
  }

  public long[] idsCopy() {
    return ids.clone();
  }

  public int[] labelsCopy() {
    return labels.clone();
  }

  /**
   * Cosine similarities of queries to all entries, with the query's own sample at -1.
   *
   * @param queries {@code [n, O]} L2-normalised, row-major
   * @param queryIds {@code [n]} sample ids
   * @return {@code [n, Q]} row-major
   */
  public float[] similarities(float[] queries, int n, long[] queryIds) {
    if (queries.length != n * dim || queryIds.length != n) {
      throw new IllegalArgumentException("queries " + queries.length + " values / " + queryIds.length
          + " ids do not match n=" + n + ", dim=" + dim);
    }
    INDArray q = Nd4j.create(queries, new long[] {n, dim}, 'c');
    if (simBuf == null || simBuf.size(0) != n) simBuf = Nd4j.createUninitialized(DataType.FLOAT, n, size);
    org.nd4j.linalg.factory.Nd4j.gemm(q, vectors, simBuf, false, true, 1.0, 0.0); // (n, O) x (Q, O)^T -> (n, Q)
    q.close();
    float[] sim = simBuf.data().asFloat();
    IntStream rows = IntStream.range(0, n);
    if (TopKNeighbourSampler.parallel((long) n * size)) rows = rows.parallel();
    rows.forEach(r -> {
      long id = queryIds[r];
      int off = r * size;
      for (int j = 0; j < size; j++) {
        if (ids[j] == id) sim[off + j] = -1f;
      }
    });
    return sim;
  }

  /**
   * The result of a lookup.
   *
   * @param indices {@code [n]} chosen queue positions
   * @param neighbours {@code [n, O]} the chosen entries (row-major)
   */
  public record Lookup(int[] indices, float[] neighbours) {}

  /**
   * Top-k lookup with given dice ({@code dice[r]}-th nearest of row r): the same choice as
   * {@link TopKNeighbourSampler#sample} on {@link #similarities}, without materialising them on the heap. One GEMM
   * scores all queries; each row of scores is then copied into a heap row and scanned once, the own-sample entries
   * taking similarity -1 when they would enter the top k. On the calling thread when ND4J has one thread (a
   * one-thread run uses one core), else rows in parallel.
   */
  public Lookup lookup(float[] queries, int n, long[] queryIds, int k, int[] dice) {
    if (queries.length != n * dim || queryIds.length != n) {
      throw new IllegalArgumentException("queries " + queries.length + " values / " + queryIds.length
          + " ids do not match n=" + n + ", dim=" + dim);
    }
    TopKNeighbourSampler.checkDice(dice, n, k, size);
    if (!Nd4j.getEnvironment().isCPU()) {
      return lookupOnHeap(queries, n, queryIds, k, dice);
    }
    INDArray q = Nd4j.create(queries, new long[] {n, dim}, 'c');
    if (simBuf == null || simBuf.size(0) != n) simBuf = Nd4j.createUninitialized(DataType.FLOAT, n, size);
    Nd4j.gemm(q, vectors, simBuf, false, true, 1.0, 0.0); // (n, O) x (Q, O)^T -> (n, Q)
    q.close();
    java.nio.FloatBuffer sim = simBuf.data().asNioFloat();
    int[] idx = new int[n];
    if (TopKNeighbourSampler.parallel((long) n * size)) {
      IntStream.range(0, n).parallel().forEach(r -> idx[r] = pick(sim, r, new float[size], k, queryIds[r], dice[r]));
    } else {
      float[] row = new float[size];
      for (int r = 0; r < n; r++) idx[r] = pick(sim, r, row, k, queryIds[r], dice[r]);
    }
    return new Lookup(idx, gatherRows(idx));
  }

  /** The {@code dice}-th nearest entry for row r of the scores (copied into {@code row}). */
  private int pick(java.nio.FloatBuffer sim, int r, float[] row, int k, long queryId, int dice) {
    sim.get(r * size, row, 0, size);
    int[] top = new int[k];
    TopKNeighbourSampler.rowTopK(row, 0, size, k, ids, queryId, top, 0);
    return top[dice];
  }

  /** {@link #lookup} through the heap copy of the similarities (backends whose arrays are not host memory). */
  private Lookup lookupOnHeap(float[] queries, int n, long[] queryIds, int k, int[] dice) {
    int[] idx = TopKNeighbourSampler.sample(similarities(queries, n, queryIds), n, size, k, dice);
    return new Lookup(idx, gatherRows(idx));
  }

  /** Top-k lookup, dice drawn from {@code rng}. */
  public Lookup lookup(float[] queries, int n, long[] queryIds, int k, SplittableRandom rng) {
    return lookup(queries, n, queryIds, k, TopKNeighbourSampler.dice(n, k, rng));
  }

  /** Entries at the given positions, {@code [n, O]} row-major. */
  public float[] gatherRows(int[] idx) {
    float[] out = new float[idx.length * dim];
    for (int r = 0; r < idx.length; r++) System.arraycopy(host, idx[r] * dim, out, r * dim, dim);
    return out;
  }

  /** Share of queries whose chosen entry has the query's label (entries never written count as wrong). */
  public double labelAgreement(int[] idx, int[] queryLabels) {
    if (idx.length == 0) return Double.NaN;
    int hits = 0;
    for (int r = 0; r < idx.length; r++) if (labels[idx[r]] == queryLabels[r]) hits++;
    return hits / (double) idx.length;
  }

  /**
   * Writes n entries at the pointer (FIFO, wrapping around) and advances it.
   *
   * @param normed {@code [n, O]} L2-normalised, row-major
   */
  public void enqueue(float[] normed, int n, long[] sampleIds, int[] sampleLabels) {
    if (normed.length != n * dim || sampleIds.length != n || sampleLabels.length != n) {
      throw new IllegalArgumentException("enqueue: " + normed.length + " values, " + sampleIds.length + " ids, "
          + sampleLabels.length + " labels for n=" + n + ", dim=" + dim);
    }
    if (n > size) throw new IllegalArgumentException("enqueue of " + n + " rows into a queue of " + size);
    INDArray src = Nd4j.create(normed, new long[] {n, dim}, 'c');
    int first = Math.min(n, size - ptr);
    vectors.get(NDArrayIndex.interval(ptr, ptr + first), NDArrayIndex.all())
        .assign(src.get(NDArrayIndex.interval(0, first), NDArrayIndex.all()));
    if (first < n) {
      vectors.get(NDArrayIndex.interval(0, n - first), NDArrayIndex.all())
          .assign(src.get(NDArrayIndex.interval(first, n), NDArrayIndex.all()));
    }
    for (int r = 0; r < n; r++) {
      int j = (ptr + r) % size;
      ids[j] = sampleIds[r];
      labels[j] = sampleLabels[r];
      System.arraycopy(normed, r * dim, host, j * dim, dim);
    }
    ptr = (ptr + n) % size;
    syncToState();
  }

  /** In place: each row divided by max(its L2 norm, 1e-12) (torch {@code F.normalize}). */
  public static void l2NormalizeRows(float[] x, int rows, int dim) {
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0; c < dim; c++) s += (double) x[r * dim + c] * x[r * dim + c];
      double inv = 1.0 / Math.max(Math.sqrt(s), 1e-12);
      for (int c = 0; c < dim; c++) x[r * dim + c] = (float) (x[r * dim + c] * inv);
    }
  }

  /** Row-major copy of any array as floats. */
  static float[] toFloats(INDArray a) {
    return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  private static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
