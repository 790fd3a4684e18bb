package org.maect.eval;

import org.maect.eval.metrics.LabelEncoding;

/** Argument checks shared by the evaluators; every failure names the argument and the problem. */
public final class Inputs {
  private Inputs() {}

  /** Non-empty, rectangular, finite; returns the feature dimension. */
  public static int checkFeatures(String name, float[][] x) {
    if (x == null || x.length == 0) throw new IllegalArgumentException(name + " is empty");
    if (x[0] == null) throw new IllegalArgumentException(name + " row 0 is null");
    int d = x[0].length;
    if (d == 0) throw new IllegalArgumentException(name + " has zero feature columns");
    for (int i = 0; i < x.length; i++) {
      float[] r = x[i];
      if (r == null) throw new IllegalArgumentException(name + " row " + i + " is null");
      if (r.length != d) {
        throw new IllegalArgumentException(name + " row " + i + " has " + r.length + " features, row 0 has " + d);
      }
      for (int j = 0; j < d; j++) {
        if (!Float.isFinite(r[j])) {
          throw new IllegalArgumentException(name + " contains " + r[j] + " at row " + i + ", column " + j);
        }
      }
    }
    return d;
  }

  public static void checkRows(String xName, float[][] x, String yName, int[] y) {
    if (y == null || x.length != y.length) {
      throw new IllegalArgumentException(
          xName + " has " + x.length + " rows but " + yName + " has " + (y == null ? 0 : y.length) + " labels");
    }
  }

  /** Full check of a train/test pair; returns the encoding of the training labels. */
  public static LabelEncoding checkTrainTest(float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    int d = checkFeatures("train features", trainX);
    checkRows("train features", trainX, "train labels", trainY);
    int dt = checkFeatures("test features", testX);
    checkRows("test features", testX, "test labels", testY);
    if (d != dt) {
      throw new IllegalArgumentException("train features have " + d + " columns but test features have " + dt);
    }
    LabelEncoding enc = LabelEncoding.fit(trainY);
    for (int i = 0; i < testY.length; i++) {
      if (enc.indexOf(testY[i]) < 0) {
        throw new IllegalArgumentException(
            "test label " + testY[i] + " (test row " + i + ") does not occur in the training labels");
      }
    }
    return enc;
  }
}
