/** Linear probing: non-affine BatchNorm + linear classifier trained by SGD, a learning-rate sweep in one pass. */
package org.maect.eval.probe;
