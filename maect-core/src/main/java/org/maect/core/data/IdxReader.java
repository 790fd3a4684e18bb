package org.maect.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw; gzip is recognised by
 * its magic bytes {@code 1f 8b}, not by the file name.
 *
 * <p>Format: 2 zero bytes, a type byte ({@code 0x08} = unsigned byte, the only type supported), the number
 * of dimensions, then each dimension as a big-endian int32, then the data. Images are {@code 0x00000803}
 * ({@code [N, rows, cols]}), labels {@code 0x00000801} ({@code [N]}).
 */
public final class IdxReader {
  /** Magic number of a 1-d unsigned-byte IDX file (labels). */
  public static final int MAGIC_LABELS = 0x00000801;
  /** Magic number of a 3-d unsigned-byte IDX file (images). */
  public static final int MAGIC_IMAGES = 0x00000803;

  private IdxReader() {}

  /** An IDX array: its dimensions and its unsigned-byte data (row-major). */
  public record IdxArray(Path file, int[] dims, byte[] data) {
    public int count() {
      return dims[0];
    }
  }

  /**
   * Reads an unsigned-byte IDX file with the given magic number.
   *
   * @throws DatasetException naming the file when it is missing, truncated, corrupt, has the wrong magic
   *     number, or has trailing bytes
   */
  public static IdxArray read(Path file, int expectedMagic) {
    try (InputStream in = open(file)) {
      int magic = readInt(in, file, "header");
      if (magic != expectedMagic) {
        throw DatasetException.of(
            file,
            String.format(
                "wrong magic number 0x%08x, expected 0x%08x (%s)",
                magic, expectedMagic, expectedMagic == MAGIC_IMAGES ? "IDX images" : "IDX labels"));
      }
      int ndim = magic & 0xff;
      int[] dims = new int[ndim];
      long total = 1;
      for (int d = 0; d < ndim; d++) {
        dims[d] = readInt(in, file, "dimension " + d);
        if (dims[d] < 0) {
          throw DatasetException.of(file, "negative dimension " + dims[d]);
        }
        total *= dims[d];
      }
      if (total > Integer.MAX_VALUE - 16) {
        throw DatasetException.of(file, "array of " + Arrays.toString(dims) + " is too large");
      }
      byte[] data = new byte[(int) total];
      int got = in.readNBytes(data, 0, data.length);
      if (got < data.length) {
        throw DatasetException.of(
            file, "truncated: expected " + total + " data bytes for " + Arrays.toString(dims) + ", found " + got);
      }
      if (in.read() != -1) {
        throw DatasetException.of(file, "trailing bytes after " + total + " data bytes for " + Arrays.toString(dims));
      }
      return new IdxArray(file, dims, data);
    } catch (NoSuchFileException e) {
      throw DatasetException.of(file, "file not found", e);
    } catch (EOFException e) {
      throw DatasetException.of(file, "truncated gzip stream (" + e.getMessage() + ")", e);
    } catch (ZipException e) {
      throw DatasetException.of(file, "corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw DatasetException.of(file, "cannot read (" + e + ")", e);
    }
  }

  /**
   * Reads an images file and its labels file and checks that they agree.
   *
   * @return {@code [N, 1, rows, cols]} pixels as a {@link ByteImageDataset}
   */
  public static ByteImageDataset readDataset(
      String name, Path imagesFile, Path labelsFile, java.util.List<String> classNames) {
    IdxArray images = read(imagesFile, MAGIC_IMAGES);
    IdxArray labels = read(labelsFile, MAGIC_LABELS);
    if (images.count() != labels.count()) {
      throw new DatasetException(
          "label/image count mismatch: " + labelsFile + " has " + labels.count() + " labels but " + imagesFile
              + " has " + images.count() + " images");
    }
    if (images.count() == 0) {
      throw DatasetException.of(imagesFile, "contains no images");
    }
    if (images.dims()[1] == 0 || images.dims()[2] == 0) {
      throw DatasetException.of(imagesFile, "images of size " + images.dims()[1] + "x" + images.dims()[2]);
    }
    int[] y = new int[labels.count()];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels.data()[i] & 0xff;
      if (y[i] >= classNames.size()) {
        throw DatasetException.of(
            labelsFile, "label " + y[i] + " of sample " + i + " is outside [0, " + classNames.size() + ")");
      }
    }
    return new ByteImageDataset(name, 1, images.dims()[1], images.dims()[2], images.data(), y, classNames);
  }

  /** Opens a file, transparently un-gzipping when it starts with the gzip magic bytes. */
  static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    }
    return raw;
  }

  private static int readInt(InputStream in, Path file, String what) throws IOException {
    byte[] b = in.readNBytes(4);
    if (b.length < 4) {
      throw DatasetException.of(file, "truncated: file ends inside the " + what);
    }
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }
}
