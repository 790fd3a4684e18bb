/**
 * Datasets, augmentation and batching (no ND4J).
 *
 * <ul>
 *   <li>{@link org.maect.core.data.ImageDataset}: images (CHW floats in [0,1]) + integer labels + sample ids;
 *       {@link org.maect.core.data.Datasets#load} opens {@code fashion-mnist}, {@code mnist}, {@code cifar10},
 *       {@code cifar100} and {@code folder:<root>} (ImageNet layout).
 *   <li>{@link org.maect.core.data.ImageTransform}: seeded, composable augmentations (RandomResizedCrop,
 *       horizontal flip, the BYOL colour set, normalisation); presets in
 *       {@link org.maect.core.data.Augmentations}.
 *   <li>{@link org.maect.core.data.BatchIterator}: batches of one or more augmented views, prepared on a
 *       background thread, deterministic given seed and epoch.
 * </ul>
 *
 * <p>Bad input (missing, truncated or corrupt files, wrong magic numbers, count mismatches, empty class
 * folders, unreadable images) raises {@link org.maect.core.data.DatasetException} naming the file.
 */
package org.maect.core.data;
