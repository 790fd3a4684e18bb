/**
 * The MAE Vision Transformer encoder as SameDiff graph builders, one concept per file (patch embedding and
 * sin-cos table, LayerNorm, exact GELU, attention, block, encoder). Parameters carry timm state-dict names
 * and PyTorch shapes; activations are 2-D {@code [B*S, D]} wherever possible (fast matmul backward, no
 * broadcast backward kernels).
 */
package org.maect.samediff.vit;
