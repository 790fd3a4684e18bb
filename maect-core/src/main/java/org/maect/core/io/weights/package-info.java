/**
 * Weight files from and for PyTorch, read and written in plain Java (no ND4J, no Python).
 *
 * <ul>
 *   <li>{@link org.maect.core.io.weights.Safetensors}: the Hugging Face safetensors format (read F32/F16/BF16/F64,
 *       write F32), bounds-checked against hostile headers.
 *   <li>{@link org.maect.core.io.weights.TorchCheckpoint}: PyTorch {@code torch.save} zip archives ({@code .pth}),
 *       unpickled with a fixed allow-list of globals (no code is ever run; unknown globals are rejected).
 *   <li>{@link org.maect.core.io.weights.MaeKeyMapping}: Hugging Face {@code ViTMAEForPreTraining} keys and the
 *       facebookresearch/mae layout mapped to timm/MAE names, and the architecture inferred from the tensors.
 * </ul>
 *
 * <p>Everything lands in a {@link org.maect.core.io.weights.StateDict}: timm/MAE key -> {@link
 * org.maect.core.io.weights.Tensor} (float32, row-major, PyTorch shape). This package lives in {@code maect-core}
 * because none of it needs ND4J: the evaluation module and tests can read weight files without a native backend;
 * copying into a SameDiff graph is {@code org.maect.samediff.io}.
 */
package org.maect.core.io.weights;
