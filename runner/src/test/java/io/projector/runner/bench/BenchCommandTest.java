package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Bad sizes stop {@code projector bench} before it starts anything, with one line. */
class BenchCommandTest {

    @Test
    void badValuesGetOneLine() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "bench", "--changes", "10");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo("projector: --changes must be at least 2000, not 10");

        StringWriter err2 = new StringWriter();
        code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true), "bench", "--lag-rate", "abc");
        assertThat(code).isEqualTo(2);
        assertThat(err2.toString().trim().lines().count()).isEqualTo(1);
        assertThat(err2.toString()).contains("--lag-rate");
    }
}
