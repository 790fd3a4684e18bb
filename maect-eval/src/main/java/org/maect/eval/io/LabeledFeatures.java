package org.maect.eval.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maect.core.io.Npy;

/**
 * Features with integer labels: {@code x [n, d]}, {@code y [n]}.
 *
 * <p>Read from a CSV file without header whose first column is the integer label and the rest the
 * features, or from a {@code .npy} feature matrix plus a {@code .npy} label vector.
 */
public record LabeledFeatures(float[][] x, int[] y) {

  public LabeledFeatures {
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " feature rows but " + y.length + " labels");
    }
  }

  /** CSV: {@code label,f1,f2,...} per line, no header; blank lines ignored. */
  public static LabeledFeatures readCsv(Path file) throws IOException {
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    int d = -1;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int ln = 0;
      while ((line = r.readLine()) != null) {
        ln++;
        if (line.isBlank()) continue;
        String[] f = line.split(",");
        if (d < 0) d = f.length - 1;
        if (f.length - 1 != d || d < 1) {
          throw new IOException(
              file + ":" + ln + ": expected a label and " + (d < 1 ? "at least 1" : d) + " features, got "
                  + (f.length - 1));
        }
        try {
          labels.add(parseLabel(f[0].trim()));
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + ln + ": label '" + f[0].trim() + "' is not an integer", e);
        }
        float[] row = new float[d];
        for (int j = 0; j < d; j++) {
          try {
            row[j] = Float.parseFloat(f[j + 1].trim());
          } catch (NumberFormatException e) {
            throw new IOException(file + ":" + ln + ": column " + (j + 2) + " '" + f[j + 1] + "' is not a number", e);
          }
        }
        rows.add(row);
      }
    }
    if (rows.isEmpty()) throw new IOException(file + ": no rows");
    int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
    return new LabeledFeatures(rows.toArray(new float[0][]), y);
  }

  /** {@code .npy} features {@code [n, d]} and labels {@code [n]}. */
  public static LabeledFeatures readNpy(Path features, Path labels) throws IOException {
    float[][] x = Npy.readMatrix(features);
    int[] y = Npy.readLabels(labels);
    if (x.length != y.length) {
      throw new IOException(features + " has " + x.length + " rows but " + labels + " has " + y.length + " labels");
    }
    return new LabeledFeatures(x, y);
  }

  /** Dispatches on the extension: {@code .npy} needs {@code labels}, anything else is CSV. */
  public static LabeledFeatures read(Path features, Path labelsOrNull) throws IOException {
    if (features.toString().endsWith(".npy")) {
      if (labelsOrNull == null) {
        throw new IOException(features + ": .npy features need a labels file (--train-labels/--test-labels)");
      }
      return readNpy(features, labelsOrNull);
    }
    if (labelsOrNull != null) {
      throw new IOException(features + ": a separate labels file is only used with .npy features");
    }
    return readCsv(features);
  }

  /** Features without labels: {@code .npy} matrix or CSV of numbers (no label column). */
  public static float[][] readUnlabeled(Path file) throws IOException {
    if (file.toString().endsWith(".npy")) return Npy.readMatrix(file);
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int ln = 0, d = -1;
      while ((line = r.readLine()) != null) {
        ln++;
        if (line.isBlank()) continue;
        String[] f = line.split(",");
        if (d < 0) d = f.length;
        if (f.length != d) throw new IOException(file + ":" + ln + ": expected " + d + " columns, got " + f.length);
        float[] row = new float[d];
        for (int j = 0; j < d; j++) {
          try {
            row[j] = Float.parseFloat(f[j].trim());
          } catch (NumberFormatException e) {
            throw new IOException(file + ":" + ln + ": '" + f[j] + "' is not a number", e);
          }
        }
        rows.add(row);
      }
    }
    return rows.toArray(new float[0][]);
  }

  private static int parseLabel(String s) {
    // Accept "3" and "3.0" (CSV writers often emit floats), reject 3.5.
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      double v = Double.parseDouble(s);
      if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw new NumberFormatException(s);
      return (int) v;
    }
  }
}
