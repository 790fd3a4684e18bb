package org.maect.core.data;

/**
 * An {@link ImageTransform} whose output has the shape of its input (flip, colour, blur, solarise,
 * normalise): the three output dimensions are {@link #SAME}.
 */
public interface SizePreservingTransform extends ImageTransform {
  @Override
  default int outChannels() {
    return SAME;
  }

  @Override
  default int outHeight() {
    return SAME;
  }

  @Override
  default int outWidth() {
    return SAME;
  }
}
