/** File formats shared by the modules: NumPy {@code .npy} arrays ({@link org.maect.core.io.Npy}). */
package org.maect.core.io;
