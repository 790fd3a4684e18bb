package org.maect.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Applies transforms in order (intermediate results in fresh buffers); empty = copy. */
public final class Compose implements ImageTransform {
  private final List<ImageTransform> steps;

  private Compose(List<ImageTransform> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Flattens nested {@code Compose}s. */
  public static Compose of(ImageTransform... steps) {
    List<ImageTransform> flat = new ArrayList<>();
    for (ImageTransform t : steps) {
      if (t instanceof Compose c) {
        flat.addAll(c.steps);
      } else {
        flat.add(java.util.Objects.requireNonNull(t, "transform"));
      }
    }
    return new Compose(flat);
  }

  public List<ImageTransform> steps() {
    return steps;
  }

  @Override
  public int outChannels() {
    return last(0);
  }

  @Override
  public int outHeight() {
    return last(1);
  }

  @Override
  public int outWidth() {
    return last(2);
  }

  private int last(int dim) {
    int v = SAME;
    for (ImageTransform t : steps) {
      int o = dim == 0 ? t.outChannels() : dim == 1 ? t.outHeight() : t.outWidth();
      if (o != SAME) {
        v = o;
      }
    }
    return v;
  }

  @Override
  public int[] outShape(int c, int h, int w) {
    int[] s = {c, h, w};
    for (ImageTransform t : steps) {
      s = t.outShape(s[0], s[1], s[2]);
    }
    return s;
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    if (steps.isEmpty()) {
      System.arraycopy(src, 0, dst, dstOff, c * h * w);
      return;
    }
    float[] cur = src;
    int[] s = {c, h, w};
    for (int k = 0; k < steps.size(); k++) {
      ImageTransform t = steps.get(k);
      int[] o = t.outShape(s[0], s[1], s[2]);
      if (k == steps.size() - 1) {
        t.apply(cur, s[0], s[1], s[2], dst, dstOff, rng);
      } else {
        float[] next = new float[o[0] * o[1] * o[2]];
        t.apply(cur, s[0], s[1], s[2], next, 0, rng);
        cur = next;
      }
      s = o;
    }
  }

  @Override
  public String toString() {
    return "Compose" + steps;
  }
}
