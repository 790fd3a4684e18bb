package org.maect.samediff.mae;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loads the little-endian float64 C-order .npy fixtures written by tools/golden/mae_reference.py. */
final class Fixtures {
  private Fixtures() {}

  static INDArray load(String rel) {
    String path = "/golden/mae/" + rel + ".npy";
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalArgumentException("missing fixture " + path);
      byte[] all = in.readAllBytes();
      ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
      int major = all[6];
      int headerLen = major == 1 ? (bb.getShort(8) & 0xffff) : bb.getInt(8);
      int start = major == 1 ? 10 : 12;
      String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
      if (!header.contains("'<f8'") || header.contains("'fortran_order': True")) {
        throw new IllegalArgumentException(path + ": expected <f8 C-order, got " + header);
      }
      Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
      if (!m.find()) throw new IllegalArgumentException(path + ": no shape in " + header);
      String[] dims = m.group(1).split(",");
      long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty())
          .mapToLong(Long::parseLong).toArray();
      int n = 1;
      for (long d : shape) n *= (int) d;
      double[] v = new double[n];
      bb.position(start + headerLen);
      for (int i = 0; i < n; i++) v[i] = bb.getDouble();
      if (shape.length == 0) shape = new long[] {1};
      return Nd4j.create(v, shape, DataType.DOUBLE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + path, e);
    }
  }

  static double[][] matrix(String rel) {
    return load(rel).toDoubleMatrix();
  }
}
