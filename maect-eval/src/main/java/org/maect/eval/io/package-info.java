/** Text inputs of the evaluation CLI: labelled CSV feature files and one-integer-per-line label files. */
package org.maect.eval.io;
