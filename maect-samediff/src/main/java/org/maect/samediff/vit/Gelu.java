package org.maect.samediff.vit;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))}, as PyTorch's default {@code nn.GELU()} in timm / MAE
 * blocks. libnd4j's {@code gelu} is the sigmoid approximation and {@code precise_gelu} the tanh one.
 * The gradient comes from SameDiff's {@code erf} derivative {@code 2/sqrt(pi) exp(-z^2)} (checked by
 * finite differences in DOUBLE).
 */
public final class Gelu {
  private Gelu() {}

  public static SDVariable apply(SDVariable x) {
    SDVariable cdf = x.getSameDiff().math().erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0);
    return x.mul(cdf).mul(0.5);
  }
}
