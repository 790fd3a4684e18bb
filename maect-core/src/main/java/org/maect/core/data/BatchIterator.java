package org.maect.core.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One epoch of {@link Batch}es, prepared on a background thread into a bounded queue so the trainer does
 * not wait on decoding and augmentation.
 *
 * <p>Deterministic: the sample order is a permutation drawn from {@code (seed, epoch)}, and every view of
 * every sample gets its own rng seeded from {@code (seed, epoch, dataset index, view)}, so batches are
 * identical whatever the thread timing or number of workers. Each dataset index (or each entry of a given
 * subset) appears exactly once per epoch (minus the dropped remainder when {@code dropLast}).
 *
 * <p>Errors while preparing (an unreadable image, a transform failure) are re-thrown to the consumer from
 * {@link #hasNext()}/{@link #next()} as a {@link DatasetException} with the original as cause. {@link #close()}
 * stops the thread; always use try-with-resources when an epoch may be abandoned early.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
  private static final Object END = new Object();
  private static final long SHUFFLE_SALT = 0x5DEECE66DL;

  private record Failure(Throwable error) {}

  private final ImageDataset dataset;
  private final int batchSize;
  private final List<ImageTransform> viewTransforms;
  private final long seed;
  private final int epoch;
  private final int[] order;
  private final int numBatches;
  private final int[] outShape;
  private final int workers;
  private final BlockingQueue<Object> queue;
  private final Thread producer;
  private volatile boolean closed;
  private Batch next;
  private boolean finished;
  private int delivered;

  private BatchIterator(Builder b) {
    this.dataset = b.dataset;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.epoch = b.epoch;
    this.workers = b.workers;
    List<ImageTransform> vt = new ArrayList<>();
    for (int v = 0; v < b.views; v++) {
      ImageTransform t = b.viewTransforms != null ? b.viewTransforms.get(v) : b.transform;
      vt.add(t == null ? ImageTransform.identity() : t);
    }
    this.viewTransforms = List.copyOf(vt);
    int[] shape = null;
    for (ImageTransform t : viewTransforms) {
      int[] s = t.outShape(dataset.channels(), dataset.height(), dataset.width());
      if (shape != null && !java.util.Arrays.equals(shape, s)) {
        throw new IllegalArgumentException("view transforms disagree on the output shape: "
            + java.util.Arrays.toString(shape) + " vs " + java.util.Arrays.toString(s));
      }
      shape = s;
    }
    this.outShape = shape;
    this.order = order(b.subset, dataset.size(), seed, epoch, b.shuffle);
    this.numBatches = b.dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize;
    if (numBatches == 0 && order.length > 0) {
      throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + order.length
          + " samples and the last partial batch is dropped: the epoch would be empty");
    }
    this.queue = new ArrayBlockingQueue<>(b.prefetch);
    this.producer = new Thread(this::produce, "maect-batches-e" + epoch);
    this.producer.setDaemon(true);
    this.producer.start();
  }

  /**
   * A shuffled, drop-last epoch of {@code views} views per sample, each through {@code transform}
   * (null = the raw images).
   */
  public static BatchIterator ofEpoch(
      ImageDataset dataset, int batchSize, int views, ImageTransform transform, long seed, int epoch) {
    return builder(dataset).batchSize(batchSize).views(views).transform(transform).seed(seed).epoch(epoch).build();
  }

  /** All samples in dataset order, one view, no augmentation, last partial batch kept (for evaluation). */
  public static BatchIterator sequential(ImageDataset dataset, int batchSize, ImageTransform transformOrNull) {
    return builder(dataset).batchSize(batchSize).views(1).transform(transformOrNull).shuffle(false).dropLast(false).build();
  }

  public static Builder builder(ImageDataset dataset) {
    return new Builder(dataset);
  }

  /** Number of batches this epoch yields. */
  public int numBatches() {
    return numBatches;
  }

  /** Shape {@code {C, H, W}} of every image in the batches. */
  public int[] imageShape() {
    return outShape.clone();
  }

  /** The rng for one view of one sample: a function of (seed, epoch, dataset index, view) only. */
  public static SplittableRandom sampleRng(long seed, int epoch, int index, int view) {
    long h = mix(seed);
    h = mix(h ^ (epoch * 0x9E3779B97F4A7C15L));
    h = mix(h ^ (index * 0xC2B2AE3D27D4EB4FL));
    h = mix(h ^ ((view + 1) * 0x165667B19E3779F9L));
    return new SplittableRandom(h);
  }

  /** The epoch's sample order: {@code subset} (or 0..n-1), shuffled by (seed, epoch) when asked. */
  public static int[] order(int[] subset, int n, long seed, int epoch, boolean shuffle) {
    int[] o;
    if (subset == null) {
      o = IntStream.range(0, n).toArray();
    } else {
      o = subset.clone();
      for (int i : o) {
        Objects.checkIndex(i, n);
      }
    }
    if (shuffle) {
      SplittableRandom r = new SplittableRandom(mix(mix(seed ^ SHUFFLE_SALT) ^ epoch));
      for (int i = o.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = o[i];
        o[i] = o[j];
        o[j] = t;
      }
    }
    return o;
  }

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void produce() {
    ForkJoinPool pool = workers > 1 ? new ForkJoinPool(workers) : null;
    try {
      for (int bi = 0; bi < numBatches && !closed; bi++) {
        Batch batch = prepare(bi, pool);
        if (!put(batch)) {
          return;
        }
      }
      put(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      try {
        put(new Failure(t));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  private boolean put(Object item) throws InterruptedException {
    while (!closed) {
      if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  private Batch prepare(int bi, ForkJoinPool pool) throws Exception {
    int from = bi * batchSize;
    int b = Math.min(batchSize, order.length - from);
    int views = viewTransforms.size();
    int outSize = outShape[0] * outShape[1] * outShape[2];
    float[][] images = new float[views][b * outSize];
    int[] labels = new int[b];
    long[] ids = new long[b];
    int[] idx = new int[b];
    if (pool != null) {
      pool.submit(() -> IntStream.range(0, b).parallel()
          .forEach(k -> fill(order[from + k], k, outSize, images, labels, ids, idx))).get();
    } else {
      for (int k = 0; k < b; k++) {
        fill(order[from + k], k, outSize, images, labels, ids, idx);
      }
    }
    return new Batch(b, outShape[0], outShape[1], outShape[2], views, images, labels, ids, idx);
  }

  /** Decodes dataset sample {@code i} into slot {@code k} of every view. */
  private void fill(int i, int k, int outSize, float[][] images, int[] labels, long[] ids, int[] idx) {
    int c = dataset.channels();
    int h = dataset.height();
    int w = dataset.width();
    float[] raw = new float[c * h * w];
    dataset.image(i, raw, 0);
    for (int v = 0; v < images.length; v++) {
      viewTransforms.get(v).apply(raw, c, h, w, images[v], k * outSize, sampleRng(seed, epoch, i, v));
    }
    labels[k] = dataset.label(i);
    ids[k] = dataset.sampleId(i);
    idx[k] = i;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    if (closed) {
      throw new IllegalStateException("BatchIterator is closed");
    }
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    }
    if (item == END) {
      finished = true;
      return false;
    }
    if (item instanceof Failure f) {
      finished = true;
      close();
      Throwable t = f.error() instanceof java.util.concurrent.ExecutionException ee && ee.getCause() != null
          ? ee.getCause() : f.error();
      throw new DatasetException("batch preparation failed: " + t.getMessage(), t);
    }
    next = (Batch) item;
    return true;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("epoch " + epoch + " has " + numBatches + " batches");
    }
    Batch b = next;
    next = null;
    delivered++;
    return b;
  }

  /** Batches handed out so far. */
  public int delivered() {
    return delivered;
  }

  /** Stops the background thread (idempotent); pending batches are discarded. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    producer.interrupt();
    queue.clear();
    try {
      producer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Options for a {@link BatchIterator}; defaults: batch 64, 1 view, raw images, seed 0, epoch 0, shuffle, drop last. */
  public static final class Builder {
    private final ImageDataset dataset;
    private int batchSize = 64;
    private int views = 1;
    private ImageTransform transform;
    private List<ImageTransform> viewTransforms;
    private long seed;
    private int epoch;
    private boolean shuffle = true;
    private boolean dropLast = true;
    private int prefetch = 2;
    private int workers = 1;
    private int[] subset;

    private Builder(ImageDataset dataset) {
      this.dataset = Objects.requireNonNull(dataset, "dataset");
    }

    public Builder batchSize(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("Invalid batch size: " + v);
      }
      batchSize = v;
      return this;
    }

    public Builder views(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("Invalid number of views: " + v);
      }
      views = v;
      return this;
    }

    /** The transform for every view (null = raw images). */
    public Builder transform(ImageTransform t) {
      transform = t;
      return this;
    }

    /** One transform per view (sets {@code views} to the list size), e.g. {@link Augmentations#maeCtAugViews}. */
    public Builder viewTransforms(List<ImageTransform> ts) {
      viewTransforms = List.copyOf(ts);
      views = ts.size();
      return views(Math.max(1, views));
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder epoch(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("Invalid epoch: " + v);
      }
      epoch = v;
      return this;
    }

    public Builder shuffle(boolean v) {
      shuffle = v;
      return this;
    }

    public Builder dropLast(boolean v) {
      dropLast = v;
      return this;
    }

    /** Batches prepared ahead (queue capacity), default 2. */
    public Builder prefetch(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("Invalid prefetch: " + v);
      }
      prefetch = v;
      return this;
    }

    /** Threads preparing one batch's samples in parallel, default 1 (the background thread itself). */
    public Builder workers(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("Invalid number of workers: " + v);
      }
      workers = v;
      return this;
    }

    /** Iterate over these dataset indices only (e.g. a low-shot subset); each once per epoch. */
    public Builder subset(int[] indices) {
      subset = indices == null ? null : indices.clone();
      return this;
    }

    public BatchIterator build() {
      if (viewTransforms != null && viewTransforms.size() != views) {
        throw new IllegalArgumentException(viewTransforms.size() + " view transforms for " + views + " views");
      }
      return new BatchIterator(this);
    }
  }
}
