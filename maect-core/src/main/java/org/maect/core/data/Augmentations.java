package org.maect.core.data;

import java.util.List;

/**
 * Augmentation presets. The one-argument forms return images in [0,1]; pass a {@link Normalize} (e.g.
 * {@link Normalize#forDataset}) to append per-channel normalisation. Use the same normalisation for
 * training and {@link #evalTransform}.
 *
 * <table>
 *   <caption>presets</caption>
 *   <tr><td>{@link #maePretrain}</td><td>MAE stage: RandomResizedCrop scale [0.2, 1] + flip (He et al.)</td></tr>
 *   <tr><td>{@link #maeCtMin}</td><td>MAE-CT<sub>min</sub>: RandomResizedCrop scale [0.08, 1] + flip</td></tr>
 *   <tr><td>{@link #maeCtAug}</td><td>MAE-CT<sub>aug</sub>: crop + flip + the BYOL colour set, symmetric</td></tr>
 *   <tr><td>{@link #maeCtAugViews}</td><td>the exact BYOL pair (asymmetric blur / solarise per view)</td></tr>
 *   <tr><td>{@link #evalTransform}</td><td>resize shorter side + centre crop (no randomness)</td></tr>
 * </table>
 *
 * <p>Crops and resizes are bicubic, as in ml-jku/MAE-CT's yamls (stage 1: crop 0.2-1 + flip; stage 3
 * MAE-CT: crop 0.08-1 + flip; MAE-CT<sub>aug</sub>: crop, flip, jitter, blur, grayscale, solarise, in that
 * order; probe evaluation: resize 256 + centre crop 224).
 *
 * <p>BYOL set (Grill et al. 2020, table 6): colour jitter (brightness 0.4, contrast 0.4, saturation 0.2,
 * hue 0.1) applied with p = 0.8, grayscale p = 0.2, Gaussian blur (kernel ~10% of the side, sigma
 * [0.1, 2]) p = 1.0 / 0.1 for view 1 / 2, solarise (threshold 0.5) p = 0.0 / 0.2. The symmetric
 * {@link #maeCtAug} uses the per-view averages (blur 0.55, solarise 0.1) for every view. On grey images
 * saturation, hue and grayscale are identities; brightness, contrast, blur and solarise apply.
 */
public final class Augmentations {
  /** Ratio range (w/h) of every crop preset. */
  public static final double RATIO_MIN = 3.0 / 4.0;
  public static final double RATIO_MAX = 4.0 / 3.0;

  private Augmentations() {}

  /** MAE pre-training: RandomResizedCrop(size, scale [0.2, 1]) + horizontal flip. */
  public static ImageTransform maePretrain(int size) {
    return Compose.of(new RandomResizedCrop(size, 0.2, 1.0), new RandomHorizontalFlip(0.5));
  }

  /** MAE-CT<sub>min</sub>: RandomResizedCrop(size, scale [0.08, 1], ratio [3/4, 4/3]) + horizontal flip. */
  public static ImageTransform maeCtMin(int size) {
    return maeCtMin(size, 0.08);
  }

  /** MAE-CT<sub>min</sub> with a chosen minimum crop scale. */
  public static ImageTransform maeCtMin(int size, double scaleMin) {
    return Compose.of(new RandomResizedCrop(size, scaleMin, 1.0), new RandomHorizontalFlip(0.5));
  }

  /** {@link #maeCtMin(int)} followed by {@code norm}. */
  public static ImageTransform maeCtMin(int size, Normalize norm) {
    return Compose.of(maeCtMin(size), norm);
  }

  /** MAE-CT<sub>aug</sub>, symmetric: the same BYOL-style transform for every view. */
  public static ImageTransform maeCtAug(int size) {
    return byol(size, 0.55, 0.1);
  }

  /** {@link #maeCtAug(int)} followed by {@code norm}. */
  public static ImageTransform maeCtAug(int size, Normalize norm) {
    return Compose.of(maeCtAug(size), norm);
  }

  /** The BYOL pair: view 1 always blurred, never solarised; view 2 blurred with p 0.1, solarised with p 0.2. */
  public static List<ImageTransform> maeCtAugViews(int size) {
    return List.of(byol(size, 1.0, 0.0), byol(size, 0.1, 0.2));
  }

  /** {@link #maeCtAugViews(int)}, each followed by {@code norm}. */
  public static List<ImageTransform> maeCtAugViews(int size, Normalize norm) {
    return List.of(Compose.of(byol(size, 1.0, 0.0), norm), Compose.of(byol(size, 0.1, 0.2), norm));
  }

  /** One BYOL view with the given blur and solarise probabilities. */
  public static ImageTransform byol(int size, double blurP, double solarizeP) {
    return Compose.of(
        new RandomResizedCrop(size, 0.08, 1.0),
        new RandomHorizontalFlip(0.5),
        new RandomApply(new ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8),
        GaussianBlur.forImageSize(size, blurP),
        new RandomGrayscale(0.2),
        new Solarize(0.5, solarizeP));
  }

  /** Evaluation: resize the shorter side to {@code size}, centre-crop {@code size x size}. */
  public static ImageTransform evalTransform(int size) {
    return evalTransform(size, 1.0, null);
  }

  /** {@link #evalTransform(int)} followed by {@code norm}. */
  public static ImageTransform evalTransform(int size, Normalize norm) {
    return evalTransform(size, 1.0, norm);
  }

  /**
   * Resize the shorter side to {@code round(size / cropPct)} and centre-crop {@code size} (ImageNet
   * convention: cropPct 0.875, i.e. 256 -> 224), then {@code norm} if not null.
   */
  public static ImageTransform evalTransform(int size, double cropPct, Normalize norm) {
    if (!(cropPct > 0 && cropPct <= 1)) {
      throw new IllegalArgumentException("Invalid crop fraction: " + cropPct);
    }
    ImageTransform t = Compose.of(new Resize((int) Math.round(size / cropPct)), new CenterCrop(size));
    return norm == null ? t : Compose.of(t, norm);
  }
}
