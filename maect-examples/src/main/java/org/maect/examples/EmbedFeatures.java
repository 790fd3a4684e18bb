package org.maect.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.SplittableRandom;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.core.io.Npy;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.WeightFileException;
import org.maect.samediff.io.EncoderExport;
import org.maect.core.io.weights.MaeKeyMapping;
import org.maect.samediff.io.GraphWeights;
import org.maect.samediff.io.ModelConfigs;
import org.maect.samediff.nnclr.EncoderFeatures;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.Pooling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pooled encoder features of a checkpoint for a dataset split or a {@code .npy} of images, written as a float32
 * {@code .npy} {@code [N, D]} (row i = image i, in dataset / file order).
 *
 * <p>Dataset images go through the evaluation transform (resize + centre crop to the encoder's input size) and the
 * dataset's per-channel normalisation ({@link Normalize#forDataset}) unless the run's config says
 * {@code "normalize": false}, as the training stages do; a {@code .npy} must already hold normalised
 * float32 (or float64) images {@code [N, C, H, W]} of the encoder's input size.
 */
public final class EmbedFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedFeatures.class);

  private EmbedFeatures() {}

  /**
   * @param checkpoint run directory or checkpoint file
   * @param dataset dataset name (or null when {@code images} is given)
   * @param images {@code .npy} of images {@code [N, C, H, W]} (or null when {@code dataset} is given)
   * @param pooling null = as configured in the checkpoint, else CLS
   * @param statePrefix null = the checkpoint's weights; else state arrays with this prefix (e.g. an EMA copy)
   */
  public record Config(
      Path checkpoint, String dataset, Split split, Path dataDir, Path images, Path out, Pooling pooling, int batchSize,
      String statePrefix, Path labelsOut) {
    public Config {
      if ((dataset == null) == (images == null)) throw new IllegalArgumentException("Give exactly one of --dataset or --images");
      if (batchSize <= 0) throw new IllegalArgumentException("Invalid batch size: " + batchSize);
    }
  }

  public record Result(Path out, int n, int dim, Pooling pooling, double seconds) {}

  public static Result run(Config c) throws IOException {
    long t0 = System.nanoTime();
    Path ckptFile = EncoderExport.resolveCheckpoint(c.checkpoint());
    Checkpoint ckpt;
    try {
      ckpt = Checkpoint.read(ckptFile);
    } catch (RuntimeException e) {
      throw new WeightFileException(ckptFile, "cannot read checkpoint: " + e.getMessage(), e);
    }
    ViTConfig enc = EncoderExport.encoderConfig(ckpt);
    StateDict weights = EncoderExport.encoderTensors(ckpt, enc, c.statePrefix());
    Pooling pooling = c.pooling() != null ? c.pooling() : configuredPooling(ckpt);
    // names and shapes checked here, so a mismatch is reported by tensor name rather than by the graph
    MaeKeyMapping.validate(weights, ModelConfigs.architecture(enc));
    EncoderFeatures fx = new EncoderFeatures(enc, GraphWeights.toArrays(weights, null, DataType.FLOAT), pooling, DataType.FLOAT);
    int per = enc.inChannels() * enc.imageSize() * enc.imageSize();
    Iterator<float[]> batches;
    int n;
    if (c.dataset() != null) {
      ImageDataset ds = Datasets.load(c.dataset(), c.split(), c.dataDir());
      if (ds.channels() != enc.inChannels()) {
        throw new IllegalArgumentException(
            "Dataset " + c.dataset() + " has " + ds.channels() + " channels but the encoder expects " + enc.inChannels());
      }
      n = ds.size();
      boolean normalize = configuredNormalize(ckpt);
      batches = datasetBatches(ds, enc.imageSize(), normalize ? Normalize.forDataset(c.dataset()) : null, c.batchSize());
      if (c.labelsOut() != null) Npy.write(c.labelsOut(), ds.labels());
    } else {
      NpyImages imgs = NpyImages.open(c.images(), enc);
      n = imgs.n;
      batches = imgs.batches(c.batchSize());
    }
    float[][] out = new float[n][];
    int done = 0;
    while (batches.hasNext()) {
      float[] x = batches.next();
      int b = x.length / per;
      float[] f = fx.pooled(Nd4j.create(x, new long[] {b, enc.inChannels(), enc.imageSize(), enc.imageSize()}, 'c'))
          .castTo(DataType.FLOAT).dup('c').data().asFloat();
      for (int i = 0; i < b; i++) out[done + i] = Arrays.copyOfRange(f, i * enc.dim(), (i + 1) * enc.dim());
      done += b;
      LOG.debug("embedded {}/{}", done, n);
    }
    Npy.write(c.out(), out);
    double s = (System.nanoTime() - t0) / 1e9;
    LOG.info("Wrote {} features of width {} ({} pooling) to {} in {} s", n, enc.dim(), pooling, c.out(), String.format(Locale.ROOT, "%.1f", s));
    return new Result(c.out(), n, enc.dim(), pooling, s);
  }

  /** A {@code pooling} string anywhere in the checkpoint config ("cls" / "mean"); CLS if none. */
  static Pooling configuredPooling(Checkpoint c) {
    if (c.config() != null) {
      com.fasterxml.jackson.databind.JsonNode p = c.config().findValue("pooling");
      if (p != null && p.isTextual()) return parsePooling(p.asText());
    }
    return Pooling.CLS;
  }

  /** Whether the run normalised its inputs ({@code "normalize"} in its config; default true, as the stages do). */
  static boolean configuredNormalize(Checkpoint c) {
    com.fasterxml.jackson.databind.JsonNode n = c.config() == null ? null : c.config().findValue("normalize");
    return n == null || !n.isBoolean() || n.asBoolean();
  }

  public static Pooling parsePooling(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "cls" -> Pooling.CLS;
      case "mean", "mean_patch", "avg" -> Pooling.MEAN_PATCH;
      default -> throw new IllegalArgumentException("Unknown pooling '" + s + "' (cls or mean)");
    };
  }

  private static Iterator<float[]> datasetBatches(ImageDataset ds, int size, Normalize norm, int batch) {
    ImageTransform t = Augmentations.evalTransform(size, norm);
    int c = ds.channels();
    int per = c * size * size; // the eval transform crops to size x size and keeps the channels
    return new Iterator<>() {
      int next = 0;

      @Override
      public boolean hasNext() {
        return next < ds.size();
      }

      @Override
      public float[] next() {
        int b = Math.min(batch, ds.size() - next);
        float[] x = new float[b * per];
        float[] src = new float[ds.imageSize()];
        SplittableRandom unused = new SplittableRandom(0); // the eval transform is deterministic
        for (int i = 0; i < b; i++) {
          ds.image(next + i, src, 0);
          t.apply(src, c, ds.height(), ds.width(), x, i * per, unused);
        }
        next += b;
        return x;
      }
    };
  }

  /** Streams {@code [N, C, H, W]} float32/float64 images from a .npy without loading it whole. */
  private static final class NpyImages {
    final Path file;
    final Npy.Header h;
    final int n;
    final int per;
    final long dataStart;

    private NpyImages(Path file, Npy.Header h, int n, int per, long dataStart) {
      this.file = file;
      this.h = h;
      this.n = n;
      this.per = per;
      this.dataStart = dataStart;
    }

    static NpyImages open(Path file, ViTConfig enc) throws IOException {
      Npy.Header h = Npy.header(file);
      long[] want = {-1, enc.inChannels(), enc.imageSize(), enc.imageSize()};
      if (h.shape().length != 4 || h.shape()[1] != want[1] || h.shape()[2] != want[2] || h.shape()[3] != want[3]) {
        throw new WeightFileException(
            file, "images must have shape [N, " + want[1] + ", " + want[2] + ", " + want[3] + "] for this encoder, got "
                + Arrays.toString(h.shape()));
      }
      if (h.dtype() != Npy.DType.FLOAT32 && h.dtype() != Npy.DType.FLOAT64) {
        throw new WeightFileException(file, "images must be float32 or float64, got " + h.dtype().descr);
      }
      if (h.shape()[0] > Integer.MAX_VALUE) throw new WeightFileException(file, "too many images: " + h.shape()[0]);
      long bytes = h.count() * h.dtype().bytes;
      long size = Files.size(file);
      // .npy data is the last count * itemsize bytes, right after the padded header
      if (size - bytes < 10) throw new WeightFileException(file, "file is shorter than its header's shape says");
      return new NpyImages(file, h, (int) h.shape()[0], (int) (h.count() / h.shape()[0]), size - bytes);
    }

    Iterator<float[]> batches(int batch) {
      return new Iterator<>() {
        int next = 0;

        @Override
        public boolean hasNext() {
          return next < n;
        }

        @Override
        public float[] next() {
          int b = Math.min(batch, n - next);
          int item = h.dtype().bytes;
          ByteBuffer buf = ByteBuffer.allocate(b * per * item).order(ByteOrder.LITTLE_ENDIAN);
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = dataStart + (long) next * per * item;
            while (buf.hasRemaining()) {
              int r = ch.read(buf, pos + buf.position());
              if (r < 0) throw new IOException(file + ": truncated");
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          buf.flip();
          float[] x = new float[b * per];
          if (item == 4) buf.asFloatBuffer().get(x);
          else for (int i = 0; i < x.length; i++) x[i] = (float) buf.getDouble();
          next += b;
          return x;
        }
      };
    }
  }
}
