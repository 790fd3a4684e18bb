/** Weighted k-nearest-neighbour classification on L2-normalised features (DINO's evaluation). */
package org.maect.eval.knn;
