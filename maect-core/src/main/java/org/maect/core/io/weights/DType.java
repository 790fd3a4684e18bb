package org.maect.core.io.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Optional;

/**
 * Floating-point element types we can read (all widened to float32 in memory).
 *
 * <p>Names follow safetensors ({@code F32}, {@code F16}, {@code BF16}, {@code F64}); PyTorch storages map via
 * {@link #ofTorchStorage(String)}. Integer and bool tensors are not model weights for ViT/MAE and are rejected.
 */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Parses a safetensors dtype name; empty for names that are valid safetensors but not float weights. */
  public static Optional<DType> ofSafetensors(String name) {
    return switch (name) {
      case "F64" -> Optional.of(F64);
      case "F32" -> Optional.of(F32);
      case "F16" -> Optional.of(F16);
      case "BF16" -> Optional.of(BF16);
      default -> Optional.empty();
    };
  }

  /** Maps a PyTorch storage class name ({@code FloatStorage}, {@code HalfStorage}, ...); empty if not float. */
  public static Optional<DType> ofTorchStorage(String className) {
    return switch (className) {
      case "DoubleStorage" -> Optional.of(F64);
      case "FloatStorage" -> Optional.of(F32);
      case "HalfStorage" -> Optional.of(F16);
      case "BFloat16Storage" -> Optional.of(BF16);
      default -> Optional.empty();
    };
  }

  /**
   * Decodes {@code n} little-endian elements starting at the buffer's position into {@code dst[dstOff..]}.
   * The caller has checked that the buffer holds {@code n * bytes()} bytes.
   */
  public void decode(ByteBuffer src, float[] dst, int dstOff, int n) {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    switch (this) {
      case F32 -> b.asFloatBuffer().get(dst, dstOff, n);
      case F64 -> {
        for (int i = 0; i < n; i++) dst[dstOff + i] = (float) b.getDouble();
      }
      case F16 -> {
        for (int i = 0; i < n; i++) dst[dstOff + i] = halfToFloat(b.getShort());
      }
      case BF16 -> {
        // bfloat16 is the upper half of a float32.
        for (int i = 0; i < n; i++) dst[dstOff + i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
      }
    }
  }

  /** IEEE 754 binary16 -> float32, exact (subnormals, infinities and NaN included); Java 17 has no built-in. */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf / NaN
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
