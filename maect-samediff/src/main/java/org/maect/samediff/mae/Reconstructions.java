package org.maect.samediff.mae;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.ImageGrid;
import org.maect.core.data.Normalize;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MAE figure: per column one image; rows original, masked (removed patches grey) and reconstruction
 * (predicted patches, de-normalised with each patch's own mean/std as in MAE's demo, pasted over the
 * visible ones).
 */
public final class Reconstructions {
  private Reconstructions() {}

  /**
   * @param images normalised NCHW images {@code [n*C*H*W]}
   * @param norm the normalisation applied to them (inverted for display), or null
   * @return mean squared error (in normalised pixel units) of the reconstruction on the masked patches
   */
  public static double write(MaeModel model, float[] images, int n, Normalize norm, long seed, Path png)
      throws IOException {
    MaeConfig cfg = model.config();
    ViTConfig e = cfg.encoder();
    RandomMasking masking = RandomMasking.sample(n, e.numPatches(), cfg.numKeep(), new SplittableRandom(seed));
    MaeModel.Inputs in = model.inputs(images, n, masking);
    INDArray pred = model.forward(in, MaeModel.PRED).get(MaeModel.PRED).castTo(DataType.FLOAT).dup('c');
    float[] p = pred.data().asFloat();
    int pd = e.patchDim();
    float[] orig = Patchify.patchify(images, n, e.inChannels(), e.imageSize(), e.patchSize());
    float[] masked = orig.clone();
    float[] recon = orig.clone();
    double se = 0;
    long count = 0;
    for (int b = 0; b < n; b++) {
      for (int l = 0; l < e.numPatches(); l++) {
        if (!masking.removed(b, l)) continue;
        int r = b * e.numPatches() + l;
        for (int i = 0; i < pd; i++) {
          float v = p[r * pd + i] * in.target().std()[r] + in.target().mean()[r];
          se += (v - orig[r * pd + i]) * (double) (v - orig[r * pd + i]);
          count++;
          recon[r * pd + i] = v;
          masked[r * pd + i] = Float.NaN;
        }
      }
    }
    int c = e.inChannels();
    int s = e.imageSize();
    float[][] rows = {
      Patchify.unpatchify(orig, n, c, s, e.patchSize()),
      Patchify.unpatchify(masked, n, c, s, e.patchSize()),
      Patchify.unpatchify(recon, n, c, s, e.patchSize())
    };
    int scale = Math.max(1, 96 / s);
    ImageGrid grid = new ImageGrid(3, n, s, s, scale, 2);
    int per = c * s * s;
    for (int row = 0; row < 3; row++) {
      for (int b = 0; b < n; b++) {
        float[] img = java.util.Arrays.copyOfRange(rows[row], b * per, (b + 1) * per);
        boolean[] gap = new boolean[per];
        for (int i = 0; i < per; i++) gap[i] = Float.isNaN(img[i]);
        for (int i = 0; i < per; i++) if (gap[i]) img[i] = 0f;
        if (norm != null) norm.invert(img, 0, c, s, s);
        for (int i = 0; i < per; i++) if (gap[i]) img[i] = 0.5f;
        grid.set(row, b, img, 0, c, s, s);
      }
    }
    grid.write(png);
    return se / Math.max(1, count);
  }
}
