package org.maect.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads fixtures written by {@code tools/golden/eval_fixtures.py} (scikit-learn / scipy values). */
public final class Golden {
  private Golden() {}

  public static JsonNode load(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) throw new IllegalStateException("missing fixture /golden/" + name);
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ints(JsonNode a) {
    int[] o = new int[a.size()];
    for (int i = 0; i < o.length; i++) o[i] = a.get(i).asInt();
    return o;
  }

  public static double[] doubles(JsonNode a) {
    double[] o = new double[a.size()];
    for (int i = 0; i < o.length; i++) o[i] = a.get(i).asDouble();
    return o;
  }

  public static float[][] floats2(JsonNode a) {
    float[][] o = new float[a.size()][];
    for (int i = 0; i < o.length; i++) {
      JsonNode r = a.get(i);
      o[i] = new float[r.size()];
      for (int j = 0; j < o[i].length; j++) o[i][j] = (float) r.get(j).asDouble();
    }
    return o;
  }

  /** {@code |a - b| <= atol + rtol * |b|}. */
  public static boolean close(double a, double b, double atol, double rtol) {
    return Math.abs(a - b) <= atol + rtol * Math.abs(b);
  }
}
