package org.maect.core.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in the ImageNet folder layout: {@code <root>/<class>/<image>.{png,jpg,jpeg,bmp,gif}}, classes in
 * sorted directory-name order (label = position), images sorted by file name, sample id = index.
 *
 * <p>Split: if {@code <root>/train} exists, TRAIN reads it and TEST reads {@code <root>/val} (or
 * {@code <root>/test}); otherwise {@code <root>} itself holds the classes and only TRAIN is available.
 *
 * <p>Shape: the first image's size, unless a size is given; an image of another size is resized
 * (bilinear, aspect kept) to cover the target and centre-cropped. Channels: 1 when the first image is grey,
 * else 3 (grey images are replicated to RGB, RGB images reduced to 0.299 R + 0.587 G + 0.114 B for a grey
 * dataset; alpha is dropped).
 *
 * <p>Images are decoded with {@code javax.imageio} on first access and kept as bytes while the whole dataset
 * fits in {@link #CACHE_LIMIT_BYTES}; larger datasets are decoded on every access. An unreadable image fails
 * with a {@link DatasetException} naming the file (when opened for the first image, otherwise when read).
 */
public final class ImageFolderDataset implements ImageDataset {
  /** Decoded images are cached while N*C*H*W stays below this (512 MiB). */
  public static final long CACHE_LIMIT_BYTES = 512L << 20;
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

  private final Path dir;
  private final List<String> classes;
  private final List<Path> files;
  private final int[] labels;
  private final int c;
  private final int h;
  private final int w;
  private final java.util.concurrent.atomic.AtomicReferenceArray<byte[]> cache;

  private ImageFolderDataset(Path dir, List<String> classes, List<Path> files, int[] labels, int c, int h, int w) {
    this.dir = dir;
    this.classes = List.copyOf(classes);
    this.files = List.copyOf(files);
    this.labels = labels;
    this.c = c;
    this.h = h;
    this.w = w;
    this.cache = (long) files.size() * c * h * w <= CACHE_LIMIT_BYTES
        ? new java.util.concurrent.atomic.AtomicReferenceArray<>(files.size()) : null;
  }

  /** Opens a split with the first image's size. */
  public static ImageFolderDataset open(Path root, Split split) {
    return open(root, split, 0);
  }

  /**
   * Opens a split; {@code size > 0} makes every image {@code size x size} (resize shorter side + centre crop).
   */
  public static ImageFolderDataset open(Path root, Split split, int size) {
    Path dir = splitDir(root, split);
    List<String> classes = new ArrayList<>();
    List<Path> classDirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .forEach(p -> {
            classDirs.add(p);
            classes.add(p.getFileName().toString());
          });
    } catch (IOException e) {
      throw DatasetException.of(dir, "cannot list class folders (" + e + ")", e);
    }
    if (classDirs.isEmpty()) {
      throw DatasetException.of(dir, "no class folders (expected <root>/<class>/<image>.png|jpg)");
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int k = 0; k < classDirs.size(); k++) {
      Path cd = classDirs.get(k);
      List<Path> imgs;
      try (Stream<Path> s = Files.list(cd)) {
        imgs = s.filter(Files::isRegularFile).filter(ImageFolderDataset::isImage).sorted().toList();
      } catch (IOException e) {
        throw DatasetException.of(cd, "cannot list images (" + e + ")", e);
      }
      if (imgs.isEmpty()) {
        throw DatasetException.of(cd, "empty class folder: no images with extension " + String.join("/", EXTENSIONS));
      }
      for (Path f : imgs) {
        files.add(f);
        labels.add(k);
      }
    }
    BufferedImage first = decode(files.get(0));
    int ch = isGrey(first) ? 1 : 3;
    int hh = size > 0 ? size : first.getHeight();
    int ww = size > 0 ? size : first.getWidth();
    return new ImageFolderDataset(dir, classes, files, labels.stream().mapToInt(Integer::intValue).toArray(), ch, hh, ww);
  }

  private static Path splitDir(Path root, Split split) {
    if (!Files.isDirectory(root)) {
      throw DatasetException.of(root, "image folder root does not exist or is not a directory");
    }
    Path train = root.resolve("train");
    if (Files.isDirectory(train)) {
      if (split == Split.TRAIN) {
        return train;
      }
      for (String name : List.of("val", "test")) {
        if (Files.isDirectory(root.resolve(name))) {
          return root.resolve(name);
        }
      }
      throw DatasetException.of(root, "has train/ but no val/ or test/ folder for the test split");
    }
    if (split == Split.TEST) {
      throw DatasetException.of(root, "no train/ and val/ (or test/) folders, so there is no test split;"
          + " use <root>/train/<class>/... and <root>/val/<class>/...");
    }
    return root;
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(n::endsWith);
  }

  private static boolean isGrey(BufferedImage img) {
    return img.getColorModel().getColorSpace().getNumComponents() == 1;
  }

  private static BufferedImage decode(Path f) {
    try {
      BufferedImage img = ImageIO.read(f.toFile());
      if (img == null) {
        throw DatasetException.of(f, "unreadable image: no decoder recognises its content");
      }
      return img;
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetException de) {
        throw de;
      }
      throw DatasetException.of(f, "unreadable image (" + e.getMessage() + ")", e);
    }
  }

  /** The directory of this split. */
  public Path directory() {
    return dir;
  }

  /** The image file of sample {@code i}. */
  public Path file(int i) {
    return files.get(i);
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int channels() {
    return c;
  }

  @Override
  public int height() {
    return h;
  }

  @Override
  public int width() {
    return w;
  }

  @Override
  public int numClasses() {
    return classes.size();
  }

  @Override
  public List<String> classNames() {
    return classes;
  }

  @Override
  public int label(int i) {
    return labels[Objects.checkIndex(i, labels.length)];
  }

  @Override
  public long sampleId(int i) {
    return Objects.checkIndex(i, labels.length);
  }

  @Override
  public void image(int i, float[] dst, int off) {
    byte[] px = cache == null ? null : cache.get(Objects.checkIndex(i, files.size()));
    if (px == null) {
      px = pixels(i);
      if (cache != null) {
        cache.set(i, px); // two threads may decode the same image; both results are equal
      }
    }
    for (int k = 0; k < px.length; k++) {
      dst[off + k] = (px[k] & 0xff) / 255f;
    }
  }

  /** Decodes image {@code i} to {@code [C, H, W]} unsigned bytes of this dataset's shape. */
  private byte[] pixels(int i) {
    Path f = files.get(i);
    BufferedImage img = decode(f);
    int ih = img.getHeight();
    int iw = img.getWidth();
    float[] chw = new float[c * ih * iw];
    int hw = ih * iw;
    if (isGrey(img)) {
      // read grey samples directly: getRGB would push them through a gamma conversion
      Raster r = img.getRaster();
      float max = maxSample(r);
      for (int p = 0; p < hw; p++) {
        float g = r.getSampleFloat(p % iw, p / iw, 0) / max;
        for (int k = 0; k < c; k++) {
          chw[k * hw + p] = g;
        }
      }
    } else {
      int[] rgb = img.getRGB(0, 0, iw, ih, null, 0, iw);
      for (int p = 0; p < hw; p++) {
        int v = rgb[p];
        float red = ((v >> 16) & 0xff) / 255f;
        float green = ((v >> 8) & 0xff) / 255f;
        float blue = (v & 0xff) / 255f;
        if (c == 1) {
          chw[p] = 0.299f * red + 0.587f * green + 0.114f * blue;
        } else {
          chw[p] = red;
          chw[hw + p] = green;
          chw[2 * hw + p] = blue;
        }
      }
    }
    float[] out = chw;
    if (ih != h || iw != w) {
      double scale = Math.max((double) h / ih, (double) w / iw); // cover the target, then centre-crop
      int rh = Math.max(h, (int) Math.round(ih * scale));
      int rw = Math.max(w, (int) Math.round(iw * scale));
      float[] resized = new float[c * rh * rw];
      Resample.bilinear(chw, c, ih, iw, 0, 0, ih, iw, resized, 0, rh, rw);
      out = new float[c * h * w];
      int top = (rh - h) / 2;
      int left = (rw - w) / 2;
      for (int k = 0; k < c; k++) {
        for (int y = 0; y < h; y++) {
          System.arraycopy(resized, (k * rh + top + y) * rw + left, out, (k * h + y) * w, w);
        }
      }
    }
    byte[] px = new byte[out.length];
    for (int k = 0; k < out.length; k++) {
      px[k] = (byte) Math.round(Math.min(1f, Math.max(0f, out[k])) * 255f);
    }
    return px;
  }

  private static float maxSample(Raster r) {
    int bits = r.getSampleModel().getSampleSize(0);
    return (float) ((1L << bits) - 1);
  }

  @Override
  public String toString() {
    return "folder " + dir + ": " + describe();
  }
}
