package org.maect.eval.metrics;

import java.util.Arrays;

/**
 * Maps arbitrary integer labels to {@code 0..K-1} in sorted order of the distinct values
 * (scikit-learn's {@code LabelEncoder} / {@code np.unique(..., return_inverse=True)}).
 */
public record LabelEncoding(int[] classes) {

  public static LabelEncoding fit(int[] labels) {
    int[] s = labels.clone();
    Arrays.sort(s);
    int k = 0;
    for (int i = 0; i < s.length; i++) if (i == 0 || s[i] != s[i - 1]) s[k++] = s[i];
    return new LabelEncoding(Arrays.copyOf(s, k));
  }

  public int size() {
    return classes.length;
  }

  /** Index of {@code label}, or a negative number when it is not a known class. */
  public int indexOf(int label) {
    return Arrays.binarySearch(classes, label);
  }

  /** Encodes every label; throws when one is unknown. */
  public int[] encode(int[] labels) {
    int[] out = new int[labels.length];
    // Dense lookup when the label range is small, binary search otherwise.
    if (classes.length > 0) {
      long span = (long) classes[classes.length - 1] - classes[0] + 1;
      if (span <= 4L * classes.length + 1024) {
        int min = classes[0];
        int[] lut = new int[(int) span];
        Arrays.fill(lut, -1);
        for (int i = 0; i < classes.length; i++) lut[classes[i] - min] = i;
        for (int i = 0; i < labels.length; i++) {
          long o = (long) labels[i] - min;
          int v = o >= 0 && o < span ? lut[(int) o] : -1;
          if (v < 0) throw new IllegalArgumentException("unknown label " + labels[i] + " at index " + i);
          out[i] = v;
        }
        return out;
      }
    }
    for (int i = 0; i < labels.length; i++) {
      int v = indexOf(labels[i]);
      if (v < 0) throw new IllegalArgumentException("unknown label " + labels[i] + " at index " + i);
      out[i] = v;
    }
    return out;
  }
}
