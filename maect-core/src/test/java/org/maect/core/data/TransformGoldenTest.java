package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resampling and blur against PyTorch (fixture from tools/golden/data_resample.py). Tolerance 1e-5
 * absolute: the Java side accumulates in double but stores float32.
 */
class TransformGoldenTest {
  static JsonNode golden;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = TransformGoldenTest.class.getResourceAsStream("/golden/data/resample.json")) {
      golden = new ObjectMapper().readTree(in);
    }
  }

  static float[] floats(JsonNode arr) {
    float[] f = new float[arr.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) arr.get(i).asDouble();
    }
    return f;
  }

  static void assertClose(float[] actual, float[] expected, double atol) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) Math.abs(actual[i] - expected[i])).as("element %d: %s vs %s", i, actual[i], expected[i])
          .isLessThanOrEqualTo(atol);
    }
  }

  @Test
  void bilinearAndBicubicResizeMatchTorchInterpolateWithAntialias() {
    for (JsonNode c : golden.get("resample")) {
      float[] x = floats(c.get("input"));
      float[] expected = floats(c.get("output"));
      float[] y = new float[expected.length];
      Resample.resize(Resample.Filter.valueOf(c.get("filter").asText()), x, c.get("c").asInt(), c.get("h").asInt(), c.get("w").asInt(), c.get("top").asInt(),
          c.get("left").asInt(), c.get("ch").asInt(), c.get("cw").asInt(), y, 0, c.get("oh").asInt(), c.get("ow").asInt());
      assertClose(y, expected, 1e-5);
    }
  }

  @Test
  void gaussianBlurMatchesReflectPaddedConvolution() {
    for (JsonNode c : golden.get("blur")) {
      float[] x = floats(c.get("input"));
      float[] expected = floats(c.get("output"));
      float[] y = new float[expected.length];
      GaussianBlur.blur(x, c.get("c").asInt(), c.get("h").asInt(), c.get("w").asInt(), y, 0,
          GaussianBlur.kernel(c.get("k").asInt(), c.get("sigma").asDouble()));
      assertClose(y, expected, 1e-5);
    }
  }
}
