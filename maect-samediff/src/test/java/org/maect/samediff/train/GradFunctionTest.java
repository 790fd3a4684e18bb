package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

class GradFunctionTest {

  @Test
  void creatingTheGradientFunctionPrintsNoPerOpLinesButKeepsOtherOutput() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
    SDVariable w = sd.var("w", DataType.FLOAT, 3, 2);
    sd.math().square(x.mmul(w)).sum().rename("loss");
    sd.setLossVariables("loss");

    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      GradFunction.ensure(sd);
      System.out.println("after");
    } finally {
      System.setOut(original);
    }
    assertThat(sd.hasGradientFunction()).isTrue();
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain(GradFunction.NOISE_PREFIX).contains("after");
  }

  @Test
  void filterForwardsLinesThatAreNotTheNoise() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    GradFunction.LineFilter f = new GradFunction.LineFilter(new PrintStream(sink, true, StandardCharsets.UTF_8));
    PrintStream p = new PrintStream(f, true, StandardCharsets.UTF_8);
    p.println("Added differentiated op matmul_3");
    p.println("keep me");
    p.print("partial");
    f.flushPartial();
    assertThat(f.dropped).isEqualTo(1);
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("keep me" + System.lineSeparator() + "partial");
  }
}
