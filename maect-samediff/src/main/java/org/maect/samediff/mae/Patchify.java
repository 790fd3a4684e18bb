package org.maect.samediff.mae;

import org.maect.core.config.MaeConfig;

/**
 * MAE's {@code patchify} / {@code unpatchify} on host arrays and the norm-pix target.
 *
 * <p>Images are NCHW {@code [B, C, H, W]} flattened; patches are {@code [B, L, P]} with L in row-major
 * patch order and P = p*p*C in (row, column, channel) order ({@code 'nchpwq->nhwpqc'}).
 */
public final class Patchify {
  private Patchify() {}

  /** {@code images [B*C*H*W] -> patches [B*L*P]}. */
  public static float[] patchify(float[] images, int batch, int channels, int size, int patch) {
    int g = size / patch;
    int l = g * g;
    int pdim = patch * patch * channels;
    float[] out = new float[batch * l * pdim];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int tok = (y / patch) * g + (x / patch);
            int within = ((y % patch) * patch + (x % patch)) * channels + c;
            out[(b * l + tok) * pdim + within] = images[((b * channels + c) * size + y) * size + x];
          }
        }
      }
    }
    return out;
  }

  /** Inverse of {@link #patchify}. */
  public static float[] unpatchify(float[] patches, int batch, int channels, int size, int patch) {
    int g = size / patch;
    int l = g * g;
    int pdim = patch * patch * channels;
    float[] out = new float[batch * channels * size * size];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int tok = (y / patch) * g + (x / patch);
            int within = ((y % patch) * patch + (x % patch)) * channels + c;
            out[((b * channels + c) * size + y) * size + x] = patches[(b * l + tok) * pdim + within];
          }
        }
      }
    }
    return out;
  }

  /** Per-patch target statistics: {@code target = (t - mean) / std}, {@code std = sqrt(var + eps)}. */
  public record Target(float[] values, float[] mean, float[] std) {}

  /**
   * The loss target: patches, normalised per patch when {@code cfg.normPixLoss()} (mean and unbiased
   * variance over the P values, eps 1e-6), else the raw patches (mean 0, std 1 recorded).
   */
  public static Target target(float[] images, int batch, MaeConfig cfg) {
    var e = cfg.encoder();
    float[] t = patchify(images, batch, e.inChannels(), e.imageSize(), e.patchSize());
    int pdim = e.patchDim();
    int n = t.length / pdim;
    float[] mean = new float[n];
    float[] std = new float[n];
    for (int r = 0; r < n; r++) {
      if (!cfg.normPixLoss()) {
        std[r] = 1f;
        continue;
      }
      int off = r * pdim;
      double s = 0;
      for (int i = 0; i < pdim; i++) s += t[off + i];
      double m = s / pdim;
      double ss = 0;
      for (int i = 0; i < pdim; i++) ss += (t[off + i] - m) * (t[off + i] - m);
      double sd = Math.sqrt(ss / (pdim - 1) + MaeConfig.NORM_PIX_EPS);
      for (int i = 0; i < pdim; i++) t[off + i] = (float) ((t[off + i] - m) / sd);
      mean[r] = (float) m;
      std[r] = (float) sd;
    }
    return new Target(t, mean, std);
  }
}
