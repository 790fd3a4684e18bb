package org.maect.eval.plot;

import java.awt.Color;

/** Colours: matplotlib's tab10/tab20 for classes, viridis for heatmaps. */
public final class Palette {
  private static final int[] TAB20 = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xc7c7c7, 0xdbdb8d, 0x9edae5
  };
  // viridis at 0, 1/8, ..., 1
  private static final int[] VIRIDIS = {
    0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725
  };

  private Palette() {}

  /** Colour of class index {@code i}: tab10/tab20, then golden-angle hues. */
  public static Color category(int i) {
    if (i >= 0 && i < TAB20.length) return new Color(TAB20[i]);
    float h = (float) ((i * 0.618033988749895) % 1.0);
    return Color.getHSBColor(h, 0.65f, 0.85f);
  }

  /** Viridis colour of {@code t} in [0, 1]. */
  public static Color viridis(double t) {
    double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (VIRIDIS.length - 1);
    int i = (int) Math.min(VIRIDIS.length - 2, Math.floor(x));
    double f = x - i;
    Color a = new Color(VIRIDIS[i]), b = new Color(VIRIDIS[i + 1]);
    return new Color(
        (int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
        (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
        (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
  }
}
