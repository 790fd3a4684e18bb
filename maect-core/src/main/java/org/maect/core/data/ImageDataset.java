package org.maect.core.data;

import java.util.List;

/**
 * A labelled image dataset of fixed shape {@code [C, H, W]}.
 *
 * <p>Images are handed out as CHW floats in {@code [0, 1]} (channel-major: {@code dst[off + (c*H + y)*W + x]}).
 * Labels are in {@code [0, numClasses)}. Sample ids are stable per split (the NNCLR queue uses them to
 * recognise a sample's own entry); for the built-in readers the id is the index within the split.
 *
 * <p>Implementations are safe for concurrent reads ({@link #image} may be called from several threads).
 */
public interface ImageDataset {
  /** Number of samples. */
  int size();

  /** C: 1 for grey images, 3 for RGB. */
  int channels();

  /** H in pixels. */
  int height();

  /** W in pixels. */
  int width();

  int numClasses();

  /** Human-readable class names, index = label. */
  List<String> classNames();

  /** Label of sample {@code i}, in {@code [0, numClasses)}. */
  int label(int i);

  /** Stable id of sample {@code i} (unique within this dataset). */
  long sampleId(int i);

  /** Writes sample {@code i} as CHW floats in [0,1] into {@code dst[off .. off + C*H*W)}. */
  void image(int i, float[] dst, int off);

  /** {@code C*H*W}. */
  default int imageSize() {
    return channels() * height() * width();
  }

  /** Sample {@code i} as a new CHW float array. */
  default float[] image(int i) {
    float[] dst = new float[imageSize()];
    image(i, dst, 0);
    return dst;
  }

  /** All labels as a new array. */
  default int[] labels() {
    int[] y = new int[size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = label(i);
    }
    return y;
  }

  /** Short description for logs: {@code "60000 x [1, 28, 28], 10 classes"}. */
  default String describe() {
    return size() + " x [" + channels() + ", " + height() + ", " + width() + "], " + numClasses() + " classes";
  }
}
