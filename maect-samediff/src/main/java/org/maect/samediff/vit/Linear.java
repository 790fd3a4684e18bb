package org.maect.samediff.vit;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code torch.nn.Linear} on 2-D activations: {@code y = x W^T + b} with {@code W: [out, in]} (PyTorch
 * layout) named {@code prefix + ".weight"} and {@code b: [out]} named {@code prefix + ".bias"}.
 *
 * <p>Built on libnd4j {@code xw_plus_b}: its backward is as fast as a bare matmul, whereas a matmul
 * followed by a broadcast bias add pays the slow broadcast {@code add_bp} (see DESIGN.md).
 */
public final class Linear {
  private Linear() {}

  /**
   * @param x {@code [N, in]}
   * @return {@code [N, out]}
   */
  public static SDVariable apply(Params p, String prefix, SDVariable x, long in, long out) {
    SDVariable w = p.xavier(prefix + ".weight", out, in);
    SDVariable b = p.zeros(prefix + ".bias", out);
    return p.sd().nn().linear(x, w.permute(1, 0), b);
  }
}
