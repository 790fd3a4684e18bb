/**
 * Masked autoencoder pieces: host-side random masking and patchify/norm-pix targets, the differentiable
 * one-hot per-sample gather, the MAE decoder, the loss and the whole-model graph {@link
 * org.maect.samediff.mae.MaeModel}.
 */
package org.maect.samediff.mae;
