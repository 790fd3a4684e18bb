package org.maect.samediff.vit;

/** How an encoder's token sequence becomes one feature vector per image. */
public enum Pooling {
  /** The CLS token after the final LayerNorm. */
  CLS,
  /** Mean of the patch tokens (CLS excluded) after the final LayerNorm. */
  MEAN_PATCH
}
