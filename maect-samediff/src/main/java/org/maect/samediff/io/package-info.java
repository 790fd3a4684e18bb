/**
 * Public MAE weights in and tuned encoders out, on the SameDiff side.
 *
 * <ul>
 *   <li>{@link org.maect.samediff.io.ModelConfigs}: the architecture read off a checkpoint as our
 *       {@code ViTConfig}/{@code MaeConfig} (and back).
 *   <li>{@link org.maect.samediff.io.GraphWeights}: timm-named tensors into graph variables by name (shape-checked),
 *       and the fixed sin-cos tables checked against ours.
 *   <li>{@link org.maect.samediff.io.PretrainedImport}: a public checkpoint written as a stage-1 checkpoint.
 *   <li>{@link org.maect.samediff.io.EncoderExport}: a checkpoint's encoder written as timm/MAE safetensors.
 * </ul>
 *
 * Pooled features come from {@code org.maect.samediff.nnclr.EncoderFeatures}. File formats and key mapping are plain Java in {@code org.maect.core.io.weights}.
 */
package org.maect.samediff.io;
