package org.maect.core.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0): little-endian,
 * C-order arrays of {@code float32, float64, int32, int64}. Anything else (big-endian, Fortran order,
 * other dtypes, object arrays) is rejected with a message naming the file and the problem.
 *
 * <p>Matrices are read row by row into {@code float[][]}, so files larger than 2 GB work.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Element type of a supported array. */
  public enum DType {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8),
    INT32("<i4", 4),
    INT64("<i8", 8);

    public final String descr;
    public final int bytes;

    DType(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }

    boolean isInteger() {
      return this == INT32 || this == INT64;
    }
  }

  /** Parsed header: dtype and shape ({@code long[]}; a scalar has shape {@code []}). */
  public record Header(DType dtype, long[] shape) {
    public long count() {
      long c = 1;
      for (long s : shape) c *= s;
      return c;
    }
  }

  /** Reads only the header of {@code file}. */
  public static Header header(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return readHeader(in, file);
    }
  }

  /**
   * Reads a 2-D array (or a 1-D array as one column) as {@code float[rows][cols]}, converting from any
   * supported dtype.
   */
  public static float[][] readMatrix(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      Header h = readHeader(raw, file);
      long rows, cols;
      if (h.shape.length == 2) {
        rows = h.shape[0];
        cols = h.shape[1];
      } else if (h.shape.length == 1) {
        rows = h.shape[0];
        cols = 1;
      } else {
        throw new IOException(file + ": expected a 1-D or 2-D array, got shape " + Arrays.toString(h.shape));
      }
      if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE / 8) {
        throw new IOException(file + ": array too large, shape " + Arrays.toString(h.shape));
      }
      DataInputStream in = new DataInputStream(raw);
      float[][] out = new float[(int) rows][(int) cols];
      byte[] buf = new byte[(int) cols * h.dtype.bytes];
      ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
      for (int r = 0; r < rows; r++) {
        readFully(in, buf, file);
        bb.clear();
        float[] row = out[r];
        switch (h.dtype) {
          case FLOAT32 -> bb.asFloatBuffer().get(row);
          case FLOAT64 -> {
            for (int c = 0; c < cols; c++) row[c] = (float) bb.getDouble();
          }
          case INT32 -> {
            for (int c = 0; c < cols; c++) row[c] = bb.getInt();
          }
          case INT64 -> {
            for (int c = 0; c < cols; c++) row[c] = bb.getLong();
          }
        }
      }
      return out;
    }
  }

  /** Reads integer labels: a 1-D (or {@code [n, 1]}) int32/int64 array that fits in {@code int}. */
  public static int[] readLabels(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      Header h = readHeader(raw, file);
      if (!h.dtype.isInteger()) {
        throw new IOException(file + ": labels must be int32 or int64, got " + h.dtype.descr);
      }
      boolean vector = h.shape.length == 1 || (h.shape.length == 2 && h.shape[1] == 1);
      if (!vector) {
        throw new IOException(file + ": labels must be 1-D, got shape " + Arrays.toString(h.shape));
      }
      long n = h.shape[0];
      if (n > Integer.MAX_VALUE) throw new IOException(file + ": too many labels: " + n);
      byte[] buf = new byte[(int) n * h.dtype.bytes];
      readFully(new DataInputStream(raw), buf, file);
      ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
      int[] out = new int[(int) n];
      for (int i = 0; i < n; i++) {
        if (h.dtype == DType.INT32) {
          out[i] = bb.getInt();
        } else {
          long v = bb.getLong();
          if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IOException(file + ": label " + v + " at index " + i + " does not fit in int32");
          }
          out[i] = (int) v;
        }
      }
      return out;
    }
  }

  /** Writes a float32 matrix {@code [rows, cols]}. */
  public static void write(Path file, float[][] m) throws IOException {
    int cols = m.length == 0 ? 0 : m[0].length;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeHeader(out, DType.FLOAT32, new long[] {m.length, cols});
      ByteBuffer bb = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] row : m) {
        if (row.length != cols) throw new IllegalArgumentException("ragged matrix: row length " + row.length);
        bb.clear();
        bb.asFloatBuffer().put(row);
        out.write(bb.array(), 0, cols * 4);
      }
    }
  }

  /** Writes a float64 matrix {@code [rows, cols]}. */
  public static void write(Path file, double[][] m) throws IOException {
    int cols = m.length == 0 ? 0 : m[0].length;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeHeader(out, DType.FLOAT64, new long[] {m.length, cols});
      ByteBuffer bb = ByteBuffer.allocate(cols * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (double[] row : m) {
        if (row.length != cols) throw new IllegalArgumentException("ragged matrix: row length " + row.length);
        bb.clear();
        bb.asDoubleBuffer().put(row);
        out.write(bb.array(), 0, cols * 8);
      }
    }
  }

  /** Writes an int32 vector. */
  public static void write(Path file, int[] v) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeHeader(out, DType.INT32, new long[] {v.length});
      ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      bb.asIntBuffer().put(v);
      out.write(bb.array());
    }
  }

  /** Writes an int64 vector. */
  public static void write(Path file, long[] v) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeHeader(out, DType.INT64, new long[] {v.length});
      ByteBuffer bb = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      bb.asLongBuffer().put(v);
      out.write(bb.array());
    }
  }

  static Header readHeader(InputStream in, Path file) throws IOException {
    byte[] magic = in.readNBytes(6);
    if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a .npy file (bad magic)");
    int major = in.read(), minor = in.read();
    int len;
    if (major == 1) {
      len = (in.read() & 0xff) | ((in.read() & 0xff) << 8);
    } else if (major == 2 || major == 3) {
      byte[] l = in.readNBytes(4);
      len = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
    } else {
      throw new IOException(file + ": unsupported .npy format version " + major + "." + minor);
    }
    byte[] hb = in.readNBytes(len);
    if (hb.length != len) throw new IOException(file + ": truncated .npy header");
    String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) throw new IOException(file + ": malformed .npy header: " + header);
    String descr = d.group(1);
    DType dtype = null;
    for (DType t : DType.values()) if (t.descr.equals(descr)) dtype = t;
    if (dtype == null) {
      throw new IOException(
          file + ": unsupported dtype '" + descr
              + "' (supported: little-endian <f4, <f8, <i4, <i8; convert with arr.astype(...))");
    }
    if (f.group(1).equals("True")) {
      throw new IOException(file + ": Fortran-order arrays are not supported (use np.ascontiguousarray)");
    }
    String[] parts = s.group(1).split(",");
    long[] shape = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToLong(Long::parseLong).toArray();
    return new Header(dtype, shape);
  }

  static void writeHeader(OutputStream out, DType dtype, long[] shape) throws IOException {
    StringBuilder sh = new StringBuilder();
    for (int i = 0; i < shape.length; i++) sh.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : (i < shape.length - 1 ? ", " : ""));
    String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': (" + sh + "), }";
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    out.write(MAGIC);
    out.write(1);
    out.write(0);
    int len = header.length();
    if (len > 65535) throw new IOException("npy header too long");
    out.write(len & 0xff);
    out.write((len >> 8) & 0xff);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void readFully(DataInputStream in, byte[] buf, Path file) throws IOException {
    try {
      in.readFully(buf);
    } catch (EOFException e) {
      throw new IOException(file + ": file is shorter than its header's shape says", e);
    }
  }
}
